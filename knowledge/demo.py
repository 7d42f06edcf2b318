"""The demo's knowledge base (`make run`): configuration articles for the
vendor's products, in Russian and English, written by an agent and
published by the supervisor as the services require."""

from __future__ import annotations

import datetime
from dataclasses import dataclass

from django.utils.timezone import now

from accounts.models import User
from knowledge import deflection, services
from knowledge.models import (
    Article,
    ArticleFeedback,
    ArticleProduct,
    ArticleTranslation,
    Category,
    FilingAttempt,
)
from tickets.models import Ticket

SERVER = "Helpdesk Server"
WORKSTATION = "Helpdesk Workstation"

# slug: (parent slug, Russian name, English name, product, position)
CATEGORIES = {
    "helpdesk-server": (None, "Helpdesk Server", "Helpdesk Server", SERVER, 10),
    "server-installation": (
        "helpdesk-server",
        "Установка и обновление",
        "Installation and upgrades",
        SERVER,
        10,
    ),
    "server-configuration": (
        "helpdesk-server",
        "Настройка",
        "Configuration",
        SERVER,
        20,
    ),
    "server-backup": (
        "helpdesk-server",
        "Резервное копирование",
        "Backup and recovery",
        SERVER,
        30,
    ),
    "helpdesk-workstation": (
        None,
        "Helpdesk Workstation",
        "Helpdesk Workstation",
        WORKSTATION,
        20,
    ),
    "licensing": (None, "Лицензирование", "Licensing", "", 30),
}


@dataclass(frozen=True)
class Text:
    title: str
    slug: str
    body: str


@dataclass(frozen=True)
class DemoArticle:
    category: str
    ru: Text | None
    en: Text | None
    products: tuple[tuple[str, str], ...] = ()
    visibility: str = Article.Visibility.PUBLIC


ARTICLES = (
    DemoArticle(
        "server-configuration",
        Text(
            "Настройка почтовых уведомлений (SMTP)",
            "nastrojka-uvedomlenij-smtp",
            """Helpdesk Server отправляет уведомления через ваш почтовый сервер.
Если письма не приходят, чаще всего неверно указан порт или не включено шифрование.

## Параметры подключения

Откройте **Администрирование → Почта** и укажите:

| Параметр | Пример |
|---|---|
| Сервер | `smtp.example.ru` |
| Порт | `587` (STARTTLS) или `465` (SSL) |
| Учётная запись | `helpdesk@example.ru` |

## Проверка

1. Нажмите «Отправить тестовое письмо».
2. Если письмо не пришло, откройте журнал `logs/mail.log`.
3. Ошибка `535 Authentication failed` означает неверный пароль или запрет входа по паролю на сервере.

## Частые ошибки

- Порт 25 закрыт провайдером: используйте 587.
- Сервер требует пароль приложения (Яндекс, Mail.ru, Microsoft 365).""",
        ),
        Text(
            "Configuring e-mail notifications (SMTP)",
            "configuring-email-notifications-smtp",
            """Helpdesk Server sends notifications through your mail server.
When no mail arrives, the port or the encryption setting is usually wrong.

## Connection settings

Open **Administration → Mail** and fill in:

| Setting | Example |
|---|---|
| Server | `smtp.example.com` |
| Port | `587` (STARTTLS) or `465` (SSL) |
| Account | `helpdesk@example.com` |

## Checking

1. Press "Send a test message".
2. If it does not arrive, open the log `logs/mail.log`.
3. `535 Authentication failed` means a wrong password, or password sign-in is disabled on the server.

## Common mistakes

- Port 25 is blocked by the provider: use 587.
- The server wants an app password (Microsoft 365, Gmail).""",
        ),
        products=((SERVER, ""),),
    ),
    DemoArticle(
        "server-configuration",
        Text(
            "Вход через домен: LDAP и Active Directory",
            "vhod-cherez-domen-ldap",
            """Пользователи могут входить в Helpdesk Server с доменной учётной записью.

## Подключение к контроллеру домена

В файле `config/server.yaml`:

```yaml
ldap:
  url: ldaps://dc1.corp.example.ru:636
  bind_dn: CN=helpdesk,OU=Service,DC=corp,DC=example,DC=ru
  base_dn: DC=corp,DC=example,DC=ru
  user_filter: (sAMAccountName={login})
```

Пароль сервисной учётной записи задаётся командой `helpdesk-server secret set ldap.password`.

## Группы и роли

Сопоставьте группы домена с ролями в разделе **Администрирование → Роли**.

## Проверка

Команда `helpdesk-server ldap test ivanov` покажет, найден ли пользователь и в каких он группах.""",
        ),
        Text(
            "Signing in with the domain: LDAP and Active Directory",
            "domain-sign-in-ldap",
            """People can sign in to Helpdesk Server with their domain account.

## Connecting to the domain controller

In `config/server.yaml`:

```yaml
ldap:
  url: ldaps://dc1.corp.example.com:636
  bind_dn: CN=helpdesk,OU=Service,DC=corp,DC=example,DC=com
  base_dn: DC=corp,DC=example,DC=com
  user_filter: (sAMAccountName={login})
```

Set the service account's password with `helpdesk-server secret set ldap.password`.

## Groups and roles

Map domain groups to roles under **Administration → Roles**.

## Checking

`helpdesk-server ldap test jsmith` shows whether the user is found and which groups they are in.""",
        ),
        products=((SERVER, ""),),
    ),
    DemoArticle(
        "server-installation",
        Text(
            "Обновление сервера до версии 5.2",
            "obnovlenie-servera-5-2",
            """Перед обновлением сделайте резервную копию базы данных.

## Порядок обновления

1. Остановите службу: `systemctl stop helpdesk-server`.
2. Установите пакет новой версии.
3. Обновите схему базы: `helpdesk-server migrate`.
4. Запустите службу: `systemctl start helpdesk-server`.

## Если служба не запускается

Ошибка `database schema is out of date` в журнале означает, что шаг 3 не выполнен
или выполнен не от имени пользователя службы. Выполните его снова:

```
sudo -u helpdesk helpdesk-server migrate
```

## Веб-консоль не открывается

Очистите кэш браузера: после обновления меняются файлы интерфейса.""",
        ),
        Text(
            "Upgrading the server to 5.2",
            "upgrading-server-5-2",
            """Back up the database before you upgrade.

## Steps

1. Stop the service: `systemctl stop helpdesk-server`.
2. Install the new version's package.
3. Upgrade the database schema: `helpdesk-server migrate`.
4. Start the service: `systemctl start helpdesk-server`.

## The service does not start

`database schema is out of date` in the log means step 3 was skipped or run
as another user. Run it again as the service's user:

```
sudo -u helpdesk helpdesk-server migrate
```

## The web console does not open

Clear the browser's cache: the upgrade replaces the console's files.""",
        ),
        products=((SERVER, ""),),
    ),
    DemoArticle(
        "server-installation",
        Text(
            "Перенос базы данных на новый сервер",
            "perenos-bazy-na-novyj-server",
            """Инструкция для клиентов с действующей поддержкой.

## Подготовка

- Одинаковая версия Helpdesk Server на старом и новом сервере.
- PostgreSQL 14 или новее на новом сервере.

## Перенос

1. На старом сервере: `helpdesk-server backup create --to /tmp/hd.tar`.
2. Скопируйте архив на новый сервер.
3. На новом сервере: `helpdesk-server backup restore /tmp/hd.tar`.
4. Освободите лицензию на старом сервере: `helpdesk-server licence release`.
5. Активируйте её на новом: `helpdesk-server licence activate`.

## После переноса

Проверьте адрес сервера в настройках почты и в ссылках уведомлений.""",
        ),
        Text(
            "Moving the database to a new server",
            "moving-database-new-server",
            """For customers with active support.

## Before you start

- The same version of Helpdesk Server on the old and the new server.
- PostgreSQL 14 or newer on the new server.

## Moving

1. On the old server: `helpdesk-server backup create --to /tmp/hd.tar`.
2. Copy the archive to the new server.
3. On the new server: `helpdesk-server backup restore /tmp/hd.tar`.
4. Release the licence on the old server: `helpdesk-server licence release`.
5. Activate it on the new one: `helpdesk-server licence activate`.

## Afterwards

Check the server's address in the mail settings and in notification links.""",
        ),
        products=((SERVER, "Enterprise"), (SERVER, "Standard")),
        visibility=Article.Visibility.CUSTOMERS,
    ),
    DemoArticle(
        "server-backup",
        Text(
            "Ночное резервное копирование в сетевую папку",
            "rezervnoe-kopirovanie-v-setevuyu-papku",
            """Helpdesk Server умеет сам копировать базу и вложения по расписанию.

## Настройка

В **Администрирование → Резервные копии** укажите:

- папку, например `\\\\nas\\backup\\helpdesk` или `/mnt/backup`;
- время запуска (рекомендуем ночь, например 02:30);
- сколько копий хранить (по умолчанию 14).

## Права на папку

Служба работает от имени пользователя `helpdesk`: ему нужны права на запись в папку.

## Служба падает во время копирования

Если копирование совпадает с обслуживанием базы, увеличьте `backup.timeout`
в `config/server.yaml` до 3600 секунд.""",
        ),
        Text(
            "Nightly backups to a network share",
            "nightly-backups-network-share",
            """Helpdesk Server can copy its database and attachments on a schedule.

## Setting up

Under **Administration → Backups** give:

- the folder, e.g. `\\\\nas\\backup\\helpdesk` or `/mnt/backup`;
- the start time (at night, e.g. 02:30);
- how many copies to keep (14 by default).

## Folder permissions

The service runs as the user `helpdesk`, who needs write access to the folder.

## The service stops during the backup

When the backup meets the database's maintenance, raise `backup.timeout`
in `config/server.yaml` to 3600 seconds.""",
        ),
        products=((SERVER, ""),),
    ),
    DemoArticle(
        "server-backup",
        Text(
            "Восстановление из резервной копии",
            "vosstanovlenie-iz-rezervnoj-kopii",
            """## Восстановление

1. Остановите службу.
2. Выполните `helpdesk-server backup restore <файл>`.
3. Запустите службу и проверьте последние заявки.

## Частичное восстановление

Только вложения: `helpdesk-server backup restore <файл> --only attachments`.""",
        ),
        Text(
            "Restoring from a backup",
            "restoring-from-backup",
            """## Restoring

1. Stop the service.
2. Run `helpdesk-server backup restore <file>`.
3. Start the service and check the latest records.

## Partial restore

Attachments only: `helpdesk-server backup restore <file> --only attachments`.""",
        ),
        products=((SERVER, ""),),
    ),
    DemoArticle(
        "server-configuration",
        Text(
            "HTTPS для веб-консоли",
            "https-dlya-veb-konsoli",
            """## Сертификат

Положите сертификат и ключ в `config/tls/` и укажите их в `config/server.yaml`:

```yaml
http:
  port: 443
  certificate: config/tls/server.crt
  key: config/tls/server.key
```

## Перенаправление с HTTP

Включите `http.redirect_plain: true`, чтобы адреса `http://` открывались по HTTPS.""",
        ),
        Text(
            "HTTPS for the web console",
            "https-web-console",
            """## Certificate

Put the certificate and key in `config/tls/` and name them in `config/server.yaml`:

```yaml
http:
  port: 443
  certificate: config/tls/server.crt
  key: config/tls/server.key
```

## Redirecting from HTTP

Set `http.redirect_plain: true` so that `http://` addresses open over HTTPS.""",
        ),
        products=((SERVER, ""),),
    ),
    DemoArticle(
        "server-configuration",
        Text(
            "Ускорение отчётов за большой период",
            "uskorenie-otchyotov",
            """Отчёт за квартал и больше строится медленно, если в базе нет свежей статистики.

## Что сделать

1. Выполните `helpdesk-server db analyze` — это обновит статистику PostgreSQL.
2. Включите предварительный расчёт: `reports.precompute: true`.
3. Стройте отчёты вне рабочего времени через «Расписание отчётов».""",
        ),
        None,
        products=((SERVER, "Enterprise"),),
    ),
    DemoArticle(
        "helpdesk-workstation",
        Text(
            "Тихая установка рабочей станции (MSI)",
            "tihaya-ustanovka-rabochej-stancii",
            """Рабочую станцию можно развернуть групповой политикой или SCCM.

## Команда

```
msiexec /i HelpdeskWorkstation.msi /qn SERVER=https://helpdesk.corp.example.ru
```

## Параметры

- `SERVER` — адрес Helpdesk Server;
- `AUTOSTART=1` — запуск при входе в Windows;
- `LANG=ru` — язык интерфейса.""",
        ),
        Text(
            "Silent installation of the workstation (MSI)",
            "silent-installation-workstation",
            """The workstation can be deployed by group policy or SCCM.

## Command

```
msiexec /i HelpdeskWorkstation.msi /qn SERVER=https://helpdesk.corp.example.com
```

## Parameters

- `SERVER`: the Helpdesk Server's address;
- `AUTOSTART=1`: start at Windows sign-in;
- `LANG=en`: the interface language.""",
        ),
        products=((WORKSTATION, ""),),
    ),
    DemoArticle(
        "helpdesk-workstation",
        None,
        Text(
            "Connecting the workstation through a proxy",
            "workstation-through-proxy",
            """## Proxy settings

The workstation uses the system proxy. To set another one, add to
`%ProgramData%\\Helpdesk\\workstation.ini`:

```
[network]
proxy = http://proxy.corp.example.com:3128
bypass = *.corp.example.com
```

## Authentication

A proxy that asks for NTLM or Kerberos is supported: the workstation signs in as the Windows user.""",
        ),
        products=((WORKSTATION, "Standard"),),
    ),
    DemoArticle(
        "licensing",
        Text(
            "Ошибка 0x17 при активации",
            "oshibka-0x17-pri-aktivacii",
            """Ошибка 0x17 означает, что лицензия уже активирована на другом сервере.

## Что сделать

1. Если старый сервер доступен, освободите лицензию на нём:
   `helpdesk-server licence release`.
2. Если нет — напишите в поддержку номер лицензии: мы освободим её сами.
3. Повторите активацию.""",
        ),
        Text(
            "Activation fails with error 0x17",
            "activation-error-0x17",
            """Error 0x17 means the licence is already active on another server.

## What to do

1. If the old server is still there, release the licence on it:
   `helpdesk-server licence release`.
2. If it is not, write to support with the licence number: we release it for you.
3. Activate again.""",
        ),
    ),
    DemoArticle(
        "licensing",
        Text(
            "Добавление рабочих мест в лицензию",
            "dobavlenie-rabochih-mest",
            """Рабочие места докупаются к действующей лицензии: номер лицензии не меняется.

## Как заказать

Напишите в отдел продаж номер лицензии и нужное число мест. После оплаты
выполните на сервере `helpdesk-server licence refresh`.""",
        ),
        Text(
            "Adding seats to a licence",
            "adding-seats-to-licence",
            """Seats are added to the licence you have: its number stays the same.

## Ordering

Write to sales with the licence number and the number of seats. Once paid,
run `helpdesk-server licence refresh` on the server.""",
        ),
    ),
    DemoArticle(
        "licensing",
        Text(
            "Освобождение привязки лицензии (для сотрудников)",
            "osvobozhdenie-privyazki-licenzii",
            """Внутренняя процедура: клиент не может освободить лицензию сам.

## Порядок

1. Проверьте в карточке лицензии, что поддержка действует.
2. В биллинге: **Лицензии → Привязки → Освободить**.
3. Ответьте клиенту ссылкой на статью об ошибке 0x17.""",
        ),
        Text(
            "Releasing a licence binding (staff)",
            "releasing-licence-binding",
            """An internal procedure, for when the customer cannot release the licence.

## Steps

1. Check on the licence's card that support is active.
2. In billing: **Licences → Bindings → Release**.
3. Reply to the customer with the article on error 0x17.""",
        ),
        visibility=Article.Visibility.STAFF,
    ),
)


def load_demo_knowledge() -> int:
    """The demo's categories and articles; those already there are left as
    they are. Returns how many articles were added."""
    categories = _categories()
    author = User.objects.get(email="agent@example.com")
    reviewer = User.objects.get(email="supervisor@example.com")
    added = 0
    for demo in ARTICLES:
        first = demo.ru or demo.en
        assert first is not None
        if ArticleTranslation.objects.filter(slug=first.slug).exists():
            continue
        article = Article.objects.create(
            category=categories[demo.category],
            visibility=demo.visibility,
            author=author,
        )
        ArticleProduct.objects.bulk_create(
            ArticleProduct(article=article, product=product, edition=edition)
            for product, edition in demo.products
        )
        for language, text in (("ru", demo.ru), ("en", demo.en)):
            if text is not None:
                services.save_translation(
                    article,
                    language=language,
                    title=text.title,
                    slug=text.slug,
                    body=text.body,
                    by=author,
                )
        services.move_article(article, to=Article.State.REVIEW, by=author)
        services.move_article(article, to=Article.State.PUBLISHED, by=reviewer)
        added += 1
    _demo_deflections()
    return added


# (subject typed, what the customer did, channel, days ago)
DEFLECTIONS = [
    ("Не приходят письма SMTP", "solved", "web", 2),
    ("Резервное копирование в сетевую папку", "left", "web", 3),
    ("Ошибка 0x17 при активации", "solved", "telegram", 4),
    ("Обновление до версии 5.2", "filed", "web", 5),
    ("Вход через LDAP не работает", "left", "web", 6),
    ("HTTPS для консоли", "filed", "telegram", 8),
    ("Восстановление из резервной копии", "solved", "web", 9),
    ("Медленные отчёты за год", "filed", "web", 11),
]


def _demo_deflections() -> None:
    """Some of the demo customer's filings with suggestions, for the
    supervisors' figures: answered, left after reading, filed anyway."""
    if FilingAttempt.objects.exists():
        return
    customer = User.objects.get(email="customer@example.com")
    ticket = Ticket.objects.filter(contact=customer).order_by("pk").first()
    for subject, outcome, channel, days in DEFLECTIONS:
        attempt, found = deflection.suggest(customer, subject, channel=channel)
        if attempt is None:
            continue
        first = found[0].article_id
        deflection.opened(attempt.code, first)
        if outcome == "solved":
            deflection.solved(customer, attempt.code, first)
        elif outcome == "filed":
            attempt.refresh_from_db()
            attempt.outcome, attempt.ticket = FilingAttempt.Outcome.FILED, ticket
            attempt.save(update_fields=["outcome", "ticket"])
        at = now() - datetime.timedelta(days=days)
        FilingAttempt.objects.filter(pk=attempt.pk).update(created_at=at, updated_at=at)
        attempt.suggestions.update(shown_at=at)
    unhelpful = Article.objects.filter(translations__slug="uskorenie-otchyotov").first()
    if unhelpful is not None:
        ArticleFeedback.objects.create(
            article=unhelpful,
            language="ru",
            helpful=False,
            comment="Не сказано, что делать с отчётом за год.",
            user=customer,
        )


def _categories() -> dict[str, Category]:
    made: dict[str, Category] = {}
    for slug, (parent, name_ru, name_en, product, position) in CATEGORIES.items():
        made[slug], _created = Category.objects.get_or_create(
            slug=slug,
            defaults={
                "parent": made[parent] if parent else None,
                "name_ru": name_ru,
                "name_en": name_en,
                "product": product,
                "position": position,
            },
        )
    return made
