"""The Telegram channel: the bot's webhook, its dialogue, linking chats to contacts."""
