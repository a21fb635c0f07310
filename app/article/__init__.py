"""Articles: the one place they are written (service), their SQL (repository), near-duplicate
and same-story linking (linking), and the shapes readers get (schemas)."""
