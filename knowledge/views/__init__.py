"""The knowledge base's pages: the public ones (`pages`), the suggestions
made while a ticket is filed (`suggestions`) and staff's tools (`staff`)."""
