"""Application services: load documents, ask the domain, persist, call integrations."""
