"""Writing articles: revisions, redirects of changed slugs, states, restore
and feedback (`knowledge.services`)."""

from __future__ import annotations

import pytest
from django.contrib.auth.models import Group

from accounts.models import StaffRole
from knowledge import services
from knowledge.models import (
    Article,
    ArticleFeedback,
    ArticleRevision,
    ArticleTranslation,
    SlugRedirect,
)
from tests.conftest import _staff
from tests.tickets.conftest import upload

pytestmark = pytest.mark.django_db


@pytest.fixture
def draft(category, agent) -> Article:
    article = Article.objects.create(category=category, author=agent)
    services.save_translation(
        article, language="ru", title="Прокси", slug="proksi", body="v1", by=agent
    )
    return article


def _save(article, by, **text) -> ArticleTranslation:
    fields = {"language": "ru", "title": "Прокси", "slug": "proksi", "body": "v1"}
    fields.update(text)
    return services.save_translation(article, by=by, **fields)


def test_each_save_is_a_revision_and_an_unchanged_one_is_not(draft, agent) -> None:
    _save(draft, agent, body="v2")
    _save(draft, agent, body="v2")

    bodies = list(
        ArticleRevision.objects.filter(article=draft)
        .order_by("created_at", "pk")
        .values_list("body", flat=True)
    )
    assert bodies == ["v1", "v2"]
    assert ArticleRevision.objects.filter(author=agent).count() == 2


def test_a_changed_slug_leaves_a_redirect_and_no_chain(draft, agent) -> None:
    _save(draft, agent, slug="proksi-2")
    _save(draft, agent, slug="proksi-3")

    redirects = dict(SlugRedirect.objects.values_list("old_slug", "translation__slug"))
    assert redirects == {"proksi": "proksi-3", "proksi-2": "proksi-3"}


def test_a_slug_given_back_stops_redirecting(draft, agent) -> None:
    _save(draft, agent, slug="proksi-2")
    _save(draft, agent, slug="proksi")

    assert list(SlugRedirect.objects.values_list("old_slug", flat=True)) == ["proksi-2"]


def test_another_articles_slug_is_refused(draft, category, agent) -> None:
    other = Article.objects.create(category=category, author=agent)

    with pytest.raises(services.KnowledgeError):
        _save(other, agent)
    # The same slug in the other language is another address.
    assert _save(other, agent, language="en").slug == "proksi"


def test_restore_brings_back_an_old_text_as_a_new_revision(draft, agent) -> None:
    _save(draft, agent, title="Прокси-сервер", slug="proksi-server", body="v2")
    first = ArticleRevision.objects.filter(article=draft).order_by("pk").first()

    services.restore_revision(first, by=agent)

    translation = draft.translations.get()
    assert (translation.title, translation.slug, translation.body) == (
        "Прокси",
        "proksi",
        "v1",
    )
    latest = ArticleRevision.objects.filter(article=draft).order_by("-pk").first()
    assert latest.body == "v1"
    assert latest.note.startswith("Restored") or latest.note.startswith("Восстанов")
    assert ArticleRevision.objects.filter(article=draft).count() == 3
    # The address it had meanwhile leads back to it.
    assert SlugRedirect.objects.get(old_slug="proksi-server").translation == translation


def test_a_removed_text_keeps_its_history_to_restore_from(draft, agent) -> None:
    services.delete_translation(draft.translations.get(), by=agent)
    revision = ArticleRevision.objects.get(article=draft)

    services.restore_revision(revision, by=agent)

    assert draft.translations.get().body == "v1"


def test_the_way_to_publication(draft, agent, supervisor) -> None:
    services.move_article(draft, to=Article.State.REVIEW, by=agent)
    published = services.move_article(draft, to=Article.State.PUBLISHED, by=supervisor)

    assert published.state == Article.State.PUBLISHED
    assert published.reviewer == supervisor
    assert published.published_at is not None


def test_an_agent_does_not_publish(draft, agent) -> None:
    services.move_article(draft, to=Article.State.REVIEW, by=agent)

    with pytest.raises(services.KnowledgeError):
        services.move_article(draft, to=Article.State.PUBLISHED, by=agent)
    draft.refresh_from_db()
    assert draft.state == Article.State.REVIEW


def test_the_author_does_not_review_their_own_article(category, supervisor) -> None:
    article = Article.objects.create(category=category, author=supervisor)
    _save(article, supervisor)
    services.move_article(article, to=Article.State.REVIEW, by=supervisor)

    with pytest.raises(services.KnowledgeError):
        services.move_article(article, to=Article.State.PUBLISHED, by=supervisor)


def test_an_administrator_may_publish_their_own_article(category, admin_user) -> None:
    article = Article.objects.create(category=category, author=admin_user)
    _save(article, admin_user)
    services.move_article(article, to=Article.State.REVIEW, by=admin_user)

    services.move_article(article, to=Article.State.PUBLISHED, by=admin_user)

    article.refresh_from_db()
    assert article.reviewer == admin_user


def test_a_draft_skips_no_review(draft, supervisor) -> None:
    with pytest.raises(services.KnowledgeError):
        services.move_article(draft, to=Article.State.PUBLISHED, by=supervisor)


def test_an_empty_article_is_not_sent_for_review(category, agent) -> None:
    article = Article.objects.create(category=category, author=agent)

    with pytest.raises(services.KnowledgeError):
        services.move_article(article, to=Article.State.REVIEW, by=agent)


def test_a_customer_moves_nothing(draft, customer) -> None:
    with pytest.raises(services.KnowledgeError):
        services.move_article(draft, to=Article.State.REVIEW, by=customer)


def test_a_published_text_is_changed_by_a_reviewer_alone(
    draft, agent, supervisor
) -> None:
    services.move_article(draft, to=Article.State.REVIEW, by=agent)
    services.move_article(draft, to=Article.State.PUBLISHED, by=supervisor)

    with pytest.raises(services.KnowledgeError):
        _save(draft, agent, body="quietly changed")
    _save(draft, supervisor, body="corrected")

    assert draft.translations.get().body == "corrected"


def test_archiving_and_back_to_draft(draft, agent, supervisor) -> None:
    services.move_article(draft, to=Article.State.REVIEW, by=agent)
    services.move_article(draft, to=Article.State.PUBLISHED, by=supervisor)
    with pytest.raises(services.KnowledgeError):
        services.move_article(draft, to=Article.State.ARCHIVED, by=agent)

    services.move_article(draft, to=Article.State.ARCHIVED, by=supervisor)
    services.move_article(draft, to=Article.State.DRAFT, by=agent)

    draft.refresh_from_db()
    assert draft.state == Article.State.DRAFT


def test_a_staff_member_without_a_role_writes_nothing(draft) -> None:
    nobody = _staff("norole@support.example", StaffRole.AGENT)
    nobody.groups.set(Group.objects.none())

    with pytest.raises(services.KnowledgeError):
        _save(draft, nobody, body="x")


def test_a_comment_reaches_the_author_in_their_language(
    draft, agent, customer, mailoutbox, django_capture_on_commit_callbacks
) -> None:
    agent.language = "en"
    agent.save()
    with django_capture_on_commit_callbacks(execute=True):
        services.record_feedback(
            draft, language="ru", helpful=False, comment=" Нет шага 3 ", user=customer
        )

    feedback = ArticleFeedback.objects.get()
    assert (feedback.helpful, feedback.comment, feedback.user) == (
        False,
        "Нет шага 3",
        customer,
    )
    [message] = mailoutbox
    assert message.to == [agent.email]
    assert message.subject == "A reader's comment on “Прокси”"
    assert "Нет шага 3" in message.body
    assert "did not find the article helpful" in message.body
    assert customer.full_name in message.body
    assert f"/admin/knowledge/article/{draft.pk}/change/" in message.body


def test_a_vote_without_a_comment_is_counted_quietly(
    draft, mailoutbox, django_capture_on_commit_callbacks
) -> None:
    with django_capture_on_commit_callbacks(execute=True):
        services.record_feedback(draft, language="ru", helpful=True)

    assert ArticleFeedback.objects.get().helpful is True
    assert mailoutbox == []


def test_deleting_an_article_removes_its_files_once_committed(
    publish, agent, django_capture_on_commit_callbacks
) -> None:
    article = publish(ru=("Статья", "statya", "Текст."))
    [attached] = services.attach_files(
        article, [upload("schema.txt", b"schema")], by=agent
    )
    storage, name = attached.file.storage, attached.file.name
    assert storage.exists(name)

    with django_capture_on_commit_callbacks(execute=False) as pending:
        article.delete()
    assert storage.exists(name)
    for callback in pending:
        callback()

    assert not storage.exists(name)
