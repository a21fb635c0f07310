"""Notes on articles: short, private to their author or shared with the team."""
