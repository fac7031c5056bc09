"""Query: question analysis, retrieval, composition, guard, backends, and Assistant.ask. Uses core and index."""
