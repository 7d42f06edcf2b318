"""One outbox for every outgoing message: rows written with the change they tell of,
claimed with a conditional update, sent once, swept by beat. Imports nothing of
ours but `helpdesk`, so `accounts` and `tickets` both may use it."""
