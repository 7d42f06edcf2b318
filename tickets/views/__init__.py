"""Pages of the ticket conversation: the customer's and the staff workspace."""
