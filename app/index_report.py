"""`chipwatch index status` as text: the engine, the article count and each engine's lag."""


def format_index_status(state: dict) -> str:
    lines = [
        f"engine {state['engine']}: {state['articles']} articles, "
        f"{state['lag']} changes waiting, {'healthy' if state['healthy'] else 'NOT healthy'}"
    ]
    for name, info in state["engines"].items():
        parts = [f"lag {info['lag']}", "healthy" if info.get("healthy") else "not healthy"]
        if "index" in info:
            parts.append(f"index {info['index']}")
        if "documents" in info:
            parts.append(
                f"documents {info['documents'] if info['documents'] is not None else 'unknown'}"
            )
        if info.get("failing"):
            parts.append(f"{info['failing']} failing")
        if info.get("oldest_seconds") is not None:
            parts.append(f"oldest waiting {info['oldest_seconds']} s")
        lines.append(f"  {name}: " + ", ".join(parts))
    return "\n".join(lines)
