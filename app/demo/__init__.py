"""The demo region for `python run.py --demo`: loaded once, a second run adds nothing.

Logins and the shared password (TMK_DEMO_PASSWORD) are listed in README.md.
"""
from flask import current_app

from app.demo.requests import load_demo_requests
from app.extensions import db
from app.models import CareProfile, Department, HelpArticle, MedicalOrganization, Route
from app.schemas.identifiers import snils_checksum_ok
from app.security import roles

ORGANIZATIONS = [
    # short name, full name, ФРМО OID, address, consulting, departments
    ("ГКБ № 1", "ГБУЗ «Городская клиническая больница № 1»", "1.2.643.5.1.13.13.12.2.78.9001",
     "г. Северогорск, ул. Больничная, д. 1", True,
     ["Кардиологическое отделение", "Неврологическое отделение", "Хирургическое отделение"]),
    ("ОКБ", "ГБУЗ «Областная клиническая больница»", "1.2.643.5.1.13.13.12.2.78.9002",
     "г. Северогорск, пр. Здоровья, д. 15", True,
     ["Кардиологическое отделение", "Онкологическое отделение", "Педиатрическое отделение"]),
    ("ЦРБ Приозёрск", "ГБУЗ «Центральная районная больница г. Приозёрска»", "1.2.643.5.1.13.13.12.2.78.9003",
     "г. Приозёрск, ул. Ленина, д. 30", False, ["Терапевтическое отделение", "Приёмное отделение"]),
    ("РБ Лесной", "ГБУЗ «Районная больница пос. Лесной»", "1.2.643.5.1.13.13.12.2.78.9004",
     "пос. Лесной, ул. Садовая, д. 2", False, ["Терапевтическое отделение"]),
]

ROUTES = [
    # consulting МО, care profile, urgencies, modes, assignment, requires approval
    ("ГКБ № 1", "Кардиология", ("emergency", "urgent", "planned"), ("sync", "deferred", "mixed"), "pool", False),
    ("ОКБ", "Кардиология", ("emergency", "urgent", "planned"), ("sync", "deferred", "mixed"), "pool", False),
    ("ГКБ № 1", "Неврология", ("urgent", "planned"), ("deferred", "mixed"), "coordinator", False),
    ("ГКБ № 1", "Хирургия", ("emergency", "urgent"), ("sync", "mixed"), "pool", False),
    ("ОКБ", "Онкология", ("planned",), ("deferred",), "pool", True),
    ("ОКБ", "Педиатрия", ("emergency", "urgent", "planned"), ("sync", "deferred", "mixed"), "coordinator", True),
]

USERS = [
    # login, last, first, middle, МО (None: region), department, position, roles, care profiles
    ("regadmin", "Соколова", "Елена", "Викторовна", None, None, "Главный специалист министерства",
     [roles.REGIONAL_ADMIN], []),
    ("moadmin1", "Орлов", "Дмитрий", "Сергеевич", "ГКБ № 1", None, "Заместитель главного врача",
     [roles.MO_ADMIN], []),
    ("moadmin2", "Белова", "Ирина", "Павловна", "ЦРБ Приозёрск", None, "Заместитель главного врача",
     [roles.MO_ADMIN], []),
    ("coordinator1", "Кузнецова", "Анна", "Игоревна", "ГКБ № 1", None, "Координатор ТМК",
     [roles.COORDINATOR], []),
    ("consultant1", "Иванов", "Иван", "Иванович", "ГКБ № 1", "Кардиологическое отделение", "Врач-кардиолог",
     [roles.CONSULTANT], ["Кардиология"]),
    ("consultant2", "Петров", "Пётр", "Андреевич", "ГКБ № 1", "Кардиологическое отделение", "Врач-кардиолог",
     [roles.CONSULTANT, roles.REQUESTER], ["Кардиология", "Неврология"]),
    ("consultant3", "Смирнова", "Ольга", "Николаевна", "ОКБ", "Кардиологическое отделение", "Врач-кардиолог",
     [roles.CONSULTANT], ["Кардиология", "Онкология"]),
    ("consultant4", "Козлов", "Андрей", "Валерьевич", "ОКБ", "Онкологическое отделение", "Врач-онколог",
     [roles.CONSULTANT], ["Онкология", "Педиатрия"]),
    ("coordinator2", "Морозова", "Светлана", "Юрьевна", "ОКБ", None, "Координатор ТМК",
     [roles.COORDINATOR], []),
    ("requester1", "Васильев", "Алексей", "Михайлович", "ЦРБ Приозёрск", "Терапевтическое отделение",
     "Врач-терапевт", [roles.REQUESTER], []),
    ("requester2", "Николаева", "Мария", "Олеговна", "РБ Лесной", "Терапевтическое отделение",
     "Врач-терапевт участковый", [roles.REQUESTER], []),
]


def demo_snils(index: int) -> str:
    """A СНИЛС that passes the checksum, distinct per demo user (the first number that does)."""
    number = 100_000_000 + index * 1_111_117
    while True:
        for control in range(100):
            snils = f"{number:09d}{control:02d}"
            if snils_checksum_ok(snils):
                return snils
        number += 1


# «Помощь» → «Вопросы и ответы», as a regional administrator would start them (Markdown)
FAQ = [
    ("Почему у меня нет кнопки «Взять в работу»?",
     "Кнопка видна врачу-консультанту консультирующей МО, пока заявка в статусе «Новая», если:\n\n"
     "- маршрут работает как общая очередь и в вашем профиле указан профиль медицинской помощи заявки, или\n"
     "- заявку назначили или передали лично вам.\n\n"
     "Если маршрут распределяет заявки через координатора, дождитесь назначения. Профили в учётной записи "
     "меняет администратор вашей МО."),
    ("Как ответить на запрос дополнительной информации?",
     "Заявка, по которой консультант запросил данные, появляется у автора во вкладке **«Доступные»**. Откройте "
     "её и нажмите **«Предоставить информацию»**; файлы можно отправить в чат заявки. Пока информация не "
     "предоставлена, срок ответа консультанта стоит на паузе."),
    ("Обязательно ли подписывать заключение электронной подписью?",
     "Пока нет: в окне подписания можно нажать **«Пропустить»**, и заявка будет завершена без подписи. Можно "
     "также загрузить скан заключения, подписанного от руки. Подробнее — в разделе руководства "
     "«Заключение и подпись»."),
    ("Не приходят письма с уведомлениями",
     "Проверьте адрес e-mail и выбранные события в профиле («Настройка уведомлений»). Все события в любом "
     "случае видны под колокольчиком и в чате заявки. Если адрес верный, сообщите администратору МО: письма, "
     "которые не удалось доставить, он видит в разделе «Недоставленные письма»."),
]


def load_demo() -> bool:
    """Add the demo region; returns False when it is already there."""
    session = db.session
    if session.query(MedicalOrganization.id).filter_by(frmo_oid=ORGANIZATIONS[0][2]).first():
        return False
    profiles = {p.name: p for p in session.query(CareProfile)}
    orgs = {}
    for short, name, oid, address, consulting, departments in ORGANIZATIONS:
        org = MedicalOrganization(name=name, short_name=short, frmo_oid=oid, address=address,
                                  is_consulting=consulting, allows_drafts=True, is_active=True)
        org.departments = [Department(name=dep) for dep in departments]
        session.add(org)
        orgs[short] = org
    for short, profile, urgencies, modes, assignment, approval in ROUTES:
        session.add(Route(
            consulting_organization=orgs[short], care_profile=profiles[profile], assignment=assignment,
            requires_approval=approval, is_active=True,
            **{f"allow_{code}": code in urgencies for code in ("emergency", "urgent", "planned")},
            **{f"allow_{code}": code in modes for code in ("sync", "deferred", "mixed")},
        ))
    session.flush()
    sm = current_app.appbuilder.sm
    password = current_app.config["TMK_DEMO_PASSWORD"]
    for index, (login, last, first, middle, org_short, dep_name, position, role_names, profile_names) in enumerate(
        USERS, start=1
    ):
        user = sm.add_user(
            username=login, first_name=first, last_name=last, email=f"{login}@demo.tmk.local",
            role=[sm.find_role(name) for name in role_names], password=password, commit=False,
        )
        if not user:
            raise RuntimeError(f"could not create the demo user {login!r}: is the login or e-mail taken?")
        org = orgs.get(org_short)
        user.middle_name = middle
        user.snils = demo_snils(index)
        user.organization = org
        user.department = next((d for d in org.departments if d.name == dep_name), None) if org else None
        user.position = position
        user.care_profiles = [profiles[name] for name in profile_names]
    session.add_all(HelpArticle(question=q, answer=a, position=10 * n) for n, (q, a) in enumerate(FAQ, start=1))
    session.commit()
    load_demo_requests()
    return True
