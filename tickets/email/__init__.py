"""Mail: incoming (store, route), parsing, the IMAP mailbox, outgoing notifications and the outbox, the held-mail pages."""
