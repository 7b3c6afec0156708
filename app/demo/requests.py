"""Demo requests in every status, of every urgency, made through the workflow so
that each has a real history."""
import dataclasses
import datetime

from app.extensions import db
from app.models import CareProfile, MedicalOrganization, Route, TmkUser
from app.workflow import conclusions
from app.workflow import apply, requests as wf
from app.workflow.conclusions import ConclusionData
from app.workflow.validation import ExternalRecordData, PatientData, RequestData

PATIENTS = [
    ("Смирнов", "Алексей", "Викторович", datetime.date(1958, 3, 14), "male", "11223344595", "7700000000000011"),
    ("Кузьмина", "Ольга", "Петровна", datetime.date(1971, 11, 2), "female", "", "7700000000000022"),
    ("Ершов", "Николай", "Ильич", datetime.date(1949, 7, 30), "male", "", "7700000000000033"),
    ("Белкина", "Татьяна", "Сергеевна", datetime.date(1985, 1, 21), "female", "", "7700000000000044"),
    ("Гусев", "Игорь", "Андреевич", datetime.date(1966, 9, 9), "male", "", "7700000000000055"),
    ("Лебедева", "Анна", "Олеговна", datetime.date(2015, 4, 18), "female", "", "7700000000000066"),
    ("Фомин", "Сергей", "Павлович", datetime.date(1977, 12, 5), "male", "", "7700000000000077"),
]

CASES = [
    # (author, profile, consulting МО, urgency, mode, patient, diagnosis, question, what happens next)
    ("requester1", "Кардиология", "ГКБ № 1", "emergency", "sync", 0, ("I21.0", "Острый трансмуральный инфаркт передней стенки"),
     "Показана ли экстренная коронарография и перевод?", "new"),
    ("requester2", "Кардиология", "ГКБ № 1", "urgent", "deferred", 1, ("I48.1", "Персистирующая фибрилляция предсердий"),
     "Тактика антикоагулянтной терапии?", "in_work"),
    ("requester1", "Кардиология", "ОКБ", "planned", "mixed", 2, ("I50.0", "Застойная сердечная недостаточность"),
     "Коррекция терапии ХСН, показания к госпитализации?", "awaiting_info"),
    ("requester2", "Кардиология", "ОКБ", "urgent", "sync", 3, ("I35.0", "Аортальный стеноз"),
     "Показано ли оперативное лечение порока?", "refused"),
    ("requester1", "Онкология", "ОКБ", "planned", "deferred", 4, ("C34.1", "Новообразование верхней доли лёгкого"),
     "Интерпретация КТ, дальнейшее обследование?", "on_approval"),
    ("requester1", "Педиатрия", "ОКБ", "urgent", "sync", 5, ("J18.9", "Пневмония неуточнённая"),
     "Тактика антибактериальной терапии у ребёнка?", "cancelled"),
    ("requester1", "Неврология", "ГКБ № 1", "planned", "deferred", 6, ("G40.9", "Эпилепсия неуточнённая"),
     "Подбор противосудорожной терапии", "draft"),
    ("requester2", "Кардиология", "ГКБ № 1", "emergency", "sync", 6, ("I26.9", "Тромбоэмболия лёгочной артерии"),
     "Показан ли тромболизис?", "transferred"),
    ("consultant2", "Кардиология", "ОКБ", "urgent", "deferred", 3, ("I10", "Эссенциальная гипертензия"),
     "Резистентная гипертензия: коррекция терапии?", "new"),
    ("requester2", "Неврология", "ГКБ № 1", "planned", "deferred", 2, ("G20", "Болезнь Паркинсона"),
     "Коррекция дозы леводопы", "new"),
    ("requester1", "Кардиология", "ГКБ № 1", "planned", "deferred", 4, ("I25.1", "Атеросклеротическая болезнь сердца"),
     "Нужна ли коррекция терапии после стентирования?", "completed"),
    ("requester2", "Кардиология", "ОКБ", "urgent", "mixed", 1, ("I11.9", "Гипертензивная болезнь сердца"),
     "Оценка результатов суточного мониторирования АД", "signing"),
]
CONCLUSION = ConclusionData(
    answer="Коррекция терапии показана: см. рекомендации.", condition="Состояние удовлетворительное, стабильное.",
    recommendations_treatment="Продолжить двойную антитромбоцитарную терапию 12 месяцев; аторвастатин 40 мг.",
    recommendations_diagnostics="Липидограмма и ЭхоКГ через 3 месяца.", mode="deferred",
)


def _user(login):
    return db.session.query(TmkUser).filter_by(username=login).one()


def _route(profile, org):
    return (db.session.query(Route).join(Route.care_profile).join(Route.consulting_organization)
            .filter(CareProfile.name == profile, MedicalOrganization.short_name == org).one())


def _data(profile, org, urgency, mode, patient_index, diagnosis, question) -> RequestData:
    last, first, middle, birth, sex, snils, policy = PATIENTS[patient_index]
    return RequestData(
        route_id=_route(profile, org).id, urgency=urgency, mode=mode, goal=2, question=question,
        anamnesis="Жалобы и анамнез изложены в приложенной выписке. Состояние ухудшилось за последние сутки.",
        diagnosis_code=diagnosis[0], diagnosis_text=diagnosis[1], consent_given=True,
        patient=PatientData(last_name=last, first_name=first, middle_name=middle, birth_date=birth, sex=sex,
                            snils=snils, oms_policy=policy),
        external_records=[ExternalRecordData(source="odli", record_date=datetime.date.today(),
                                             title="Общий анализ крови", summary="Лейкоциты 11,2×10⁹/л")],
    )


def load_demo_requests() -> None:
    for author, profile, org, urgency, mode, patient, diagnosis, question, outcome in CASES:
        data = _data(profile, org, urgency, mode, patient, diagnosis, question)
        request = wf.save_request(_user(author), data, submit=outcome != "draft")
        consultant = _user("consultant1" if org == "ГКБ № 1" else "consultant3")  # both cover кардиология
        if outcome in ("in_work", "awaiting_info", "refused", "signing", "completed"):
            apply(consultant, request, "take")
        if outcome == "awaiting_info":
            apply(consultant, request, "request_info", {"comment": "Пришлите, пожалуйста, ЭКГ и эхокардиографию."})
        if outcome == "refused":
            apply(consultant, request, "refuse", {"comment": "Заявка оформлена не по профилю: нужна консультация хирурга-онколога."})
        if outcome == "cancelled":
            apply(_user("moadmin2"), request, "approve", {"comment": "Согласовано"})
            apply(_user(author), request, "cancel", {"comment": "Пациент переведён в областную больницу."})
        if outcome == "transferred":
            apply(consultant, request, "take")
            apply(consultant, request, "transfer", {"consultant_id": _user("consultant2").id, "comment": "Ухожу на дежурство в операционную."})
        if outcome in ("signing", "completed"):
            form = dataclasses.replace(CONCLUSION, diagnosis_code=diagnosis[0], diagnosis_text=diagnosis[1])
            # rendered here, not queued: the demo is the same with or without Redis (and a worker)
            conclusions.start_rendering(consultant, request, form, here=True)
        if outcome == "completed":
            conclusions.skip_signature(consultant, request)
