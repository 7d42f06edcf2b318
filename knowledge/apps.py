from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class KnowledgeConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "knowledge"
    verbose_name = _("Knowledge base")

    def ready(self) -> None:
        from knowledge import signals  # noqa: F401 (connects the receivers)
        from knowledge.deflection import KnowledgeAnswers, ticket_filed
        from knowledge.links import message_sent
        from outbox import events
        from tickets import answers

        # The bot asks for articles before a ticket (`tickets.answers`); a
        # ticket filed after suggestions ends their attempt; a reply sent
        # with an article's link ties the article to the ticket.
        answers.register(KnowledgeAnswers())
        events.listen(ticket_filed)
        events.listen(message_sent)
