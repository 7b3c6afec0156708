"""The own profile's tabs (manual §4.1–4.2): each saves and stays on its tab; the password wants the current
one; the photo is a square JPEG without EXIF, refused when it is not an image, and shown only to the signed-in;
the notification switches decide what notify() makes."""
import io
import re
import secrets

import pytest
from PIL import Image

from app.core.events import unread_counts
from app.documents.photos import PHOTO_SIZE
from app.documents.storage import stored_path
from app.extensions import db
from app.models import Document, Message, Notification, RequestEvent, TmkUser
from app.models.users import EMAIL_EVENT_GROUPS
from app.security.roles import REQUESTER
from app.views.profile import browser_label
from app.workflow import apply
from tests.conftest import DEMO_PASSWORD, login, visible_text
from tests.requests_helpers import new_request, user

CYRILLIC_ERROR = re.compile(r"(Число от \d+ до \d+|Недопустимое значение)")
TABS = ["info", "photo", "access", "contacts", "notifications"]


@pytest.fixture()
def account(app):
    """A requester of his own: his name, password and photo are changed here (the demo accounts are shared)."""
    with app.app_context():
        sm = app.appbuilder.sm
        name = f"profile{secrets.token_hex(4)}"
        first_name = "Г" + "".join(secrets.choice("абвгдежзиклмнопрстуфхцчшщэюя") for _ in range(8))  # to be found
        created = sm.add_user(name, first_name, "Профилева", f"{name}@example.org", [sm.find_role(REQUESTER)],
                              password=DEMO_PASSWORD)
        created.organization_id = user("requester1").organization_id
        created.position = "Врач-терапевт"
        db.session.commit()
        return name


def stored(app, username) -> TmkUser:
    with app.app_context():
        found = db.session.query(TmkUser).filter_by(username=username).one()
        db.session.expunge(found)
        return found


def directory_of(app, username) -> str:
    """«Пользователи» filtered down to that account."""
    return f"/directory/list/?_flt_0_first_name={stored(app, username).first_name}"


def image_bytes(kind="JPEG", size=(800, 400), mode="RGB", **save) -> bytes:
    """Three vertical stripes, red | blue | green: the centre square of 800×400 is blue but for a speck of noise
    at its top (two accounts with the same picture would share its stored file)."""
    picture = Image.new(mode, size, (0, 0, 255) if mode == "RGB" else (0, 0, 255, 255))
    third = size[0] // 4
    picture.paste((255, 0, 0) if mode == "RGB" else (255, 0, 0, 255), (0, 0, third, size[1]))
    picture.paste((0, 160, 0) if mode == "RGB" else (0, 160, 0, 255), (size[0] - third, 0, size[0], size[1]))
    picture.paste(Image.frombytes("RGB", (16, 16), secrets.token_bytes(16 * 16 * 3)).convert(mode),
                  (size[0] // 2 - 8, 8))
    output = io.BytesIO()
    picture.save(output, kind, **save)
    return output.getvalue()


def with_exif() -> bytes:
    exif = Image.Exif()
    exif[0x010F] = "SecretCameraMaker"  # Make
    exif[0x9003] = "2026:01:02 03:04:05"  # DateTimeOriginal (in the IFD0 here: enough to be found)
    return image_bytes(exif=exif.tobytes())


def upload(client, data: bytes, name="photo.jpg"):
    return client.post("/profile/photo", data={"photo": (io.BytesIO(data), name)}, content_type="multipart/form-data")


def photo_of(app, username) -> bytes:
    sha = stored(app, username).photo_sha256
    with app.app_context():
        return stored_path(sha).read_bytes()


# ---- the tabs ----

@pytest.mark.parametrize("tab", TABS)
def test_every_tab_is_its_own_page_with_all_the_tabs(app, client_for, tab):
    page = client_for("consultant2").get(f"/profile/{tab}")
    assert page.status_code == 200
    html = page.get_data(as_text=True)
    assert f'href="/profile/{tab}" data-tab="{tab}" aria-current="page"' in html
    text = visible_text(html)
    for label in ("Информация", "Изображения", "Доступ", "Контакты", "Настройка уведомлений"):
        assert label in text


def test_the_profile_and_the_user_menus_link_open_the_information_tab(client_for):
    client = client_for("consultant2")
    assert client.get("/profile/").headers["Location"].endswith("/profile/info")
    assert client.get("/users/userinfo/").headers["Location"].endswith("/profile/info")


def test_information_saves_stays_and_keeps_the_administrators_fields(app, account):
    client = login(app.test_client(), account)
    answer = client.post("/profile/info", data={
        "last_name": " Профилева ", "first_name": stored(app, account).first_name, "middle_name": "Петровна", "snils": "001-001-997 55",
        "birth_date": "12.04.1979", "position": "Главный врач", "organization": "1"})
    assert answer.status_code == 302 and answer.headers["Location"].endswith("/profile/info")
    page = visible_text(client.get("/profile/info").get_data(as_text=True))
    assert "Сохранено" in page and "изменяет администратор" in page.lower()
    saved = stored(app, account)
    assert (saved.last_name, saved.middle_name, saved.snils, saved.birth_date.isoformat()) == (
        "Профилева", "Петровна", "00100199755", "1979-04-12")  # a number no other test gives an account
    assert saved.position == "Врач-терапевт"  # the administrator's: the form has no such field
    with app.app_context():
        db.session.query(TmkUser).filter_by(username=account).update({"snils": None})  # other tests use it
        db.session.commit()


def test_information_errors_are_russian_and_keep_what_was_typed(app, account):
    client = login(app.test_client(), account)
    answer = client.post("/profile/info", data={"last_name": "", "first_name": "Галина", "snils": "123",
                                                "birth_date": "31.02.1980"})
    text = visible_text(answer.get_data(as_text=True))
    assert answer.status_code == 422
    assert "Обязательное поле" in text and "СНИЛС должен содержать 11 цифр" in text
    assert "Введите дату в виде ДД.ММ.ГГГГ" in text and "Не сохранено" in text
    assert 'value="31.02.1980"' in answer.get_data(as_text=True)
    assert stored(app, account).last_name == "Профилева"


def test_contacts_save_and_stay(app, account):
    client = login(app.test_client(), account)
    answer = client.post("/profile/contacts", data={"email": f" {account}@okb.local ", "phone": "+7 (812) 123-45-67",
                                                    "work_address": "Корпус 2, кабинет 214"})
    assert answer.status_code == 302 and answer.headers["Location"].endswith("/profile/contacts")
    assert "Сохранено" in visible_text(client.get("/profile/contacts").get_data(as_text=True))
    saved = stored(app, account)
    assert (saved.email, saved.phone, saved.work_address) == (f"{account}@okb.local", "+7 (812) 123-45-67",
                                                              "Корпус 2, кабинет 214")
    wrong = client.post("/profile/contacts", data={"email": "не адрес", "phone": "звоните"})
    assert wrong.status_code == 422
    assert "Введите правильный адрес e-mail" in visible_text(wrong.get_data(as_text=True))
    assert "Номер телефона состоит из цифр" in visible_text(wrong.get_data(as_text=True))


def test_notification_settings_save_and_stay(app, account):
    client = login(app.test_client(), account)
    answer = client.post("/profile/notifications", data={"portal_events": ["incoming", "completed"],
                                                         "email_events": ["deadlines"], "email_notifications": "y"})
    assert answer.status_code == 302 and answer.headers["Location"].endswith("/profile/notifications")
    assert "Сохранено" in visible_text(client.get("/profile/notifications").get_data(as_text=True))
    saved = stored(app, account)
    assert saved.portal_events == ["incoming", "completed"] and saved.email_events == ["deadlines"]
    assert saved.email_notifications is True
    wrong = client.post("/profile/notifications", data={"portal_events": ["всё"]})
    assert wrong.status_code == 422 and "Выберите одно из допустимых значений" in wrong.get_data(as_text=True)


# ---- «Доступ» ----

def test_the_password_changes_with_the_current_one_and_stays_on_access(app, account):
    client = login(app.test_client(), account)
    answer = client.post("/profile/access", data={"current_password": DEMO_PASSWORD, "password": "Novyi-2026",
                                                  "conf_password": "Novyi-2026"})
    assert answer.status_code == 302 and answer.headers["Location"].endswith("/profile/access")
    assert "Пароль изменён" in visible_text(client.get("/profile/access").get_data(as_text=True))
    assert login(app.test_client(), account, "Novyi-2026")


@pytest.mark.parametrize("form, message", [
    ({"current_password": "Wrong-2026", "password": "Novyi-2026", "conf_password": "Novyi-2026"},
     "Текущий пароль указан неверно"),
    ({"current_password": DEMO_PASSWORD, "password": "Novyi-2026", "conf_password": "Novyi-2027"},
     "Пароли не совпадают"),
    ({"current_password": DEMO_PASSWORD, "password": "simple", "conf_password": "simple"},
     "Пароль должен содержать не менее 8 символов"),
    ({"current_password": DEMO_PASSWORD, "password": DEMO_PASSWORD, "conf_password": DEMO_PASSWORD},
     "Новый пароль должен отличаться от текущего"),
    ({"password": "Novyi-2026", "conf_password": "Novyi-2026"}, "Обязательное поле"),
])
def test_a_wrong_password_change_is_refused_in_russian(app, account, form, message):
    client = login(app.test_client(), account)
    answer = client.post("/profile/access", data=form)
    assert answer.status_code == 422 and message in visible_text(answer.get_data(as_text=True))
    assert login(app.test_client(), account, DEMO_PASSWORD)  # unchanged


def test_access_shows_the_esia_state_and_signs_out_everywhere(app, account):
    client, other = login(app.test_client(), account), login(app.test_client(), account)
    text = visible_text(client.get("/profile/access").get_data(as_text=True))
    assert "Учётная запись ЕСИА не привязана" in text and "этот сеанс" in text
    assert client.post("/logout-everywhere/").status_code == 302
    assert other.get("/profile/info").status_code == 302  # the other device is signed out too


@pytest.mark.parametrize("agent, label", [
    ("Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0 Safari/537.36",
     "Chrome, Windows"),
    ("Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0 YaBrowser/24.12 "
     "Safari/537.36", "Яндекс.Браузер, Windows"),
    ("Mozilla/5.0 (X11; Linux x86_64; rv:133.0) Gecko/20100101 Firefox/133.0", "Firefox, Linux"),
    ("Mozilla/5.0 (iPhone; CPU iPhone OS 18_1 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/18.1 "
     "Mobile/15E148 Safari/604.1", "Safari, iOS"),
    ("curl/8.5", "curl/8.5"),
])
def test_the_session_names_the_browser(agent, label):
    assert browser_label(agent) == label


def test_fabs_password_form_without_the_current_password_is_gone(client_for):
    client = client_for("requester1")
    assert client.get("/resetmypassword/form").status_code == 404
    assert client.post("/resetmypassword/form", data={"password": "Novyi-2026", "conf_password": "Novyi-2026"}
                       ).status_code in (404, 405)


# ---- «Изображения» ----

def test_the_photo_is_a_square_jpeg_without_exif(app, account):
    client = login(app.test_client(), account)
    original = with_exif()
    assert b"SecretCameraMaker" in original
    answer = upload(client, original)
    assert answer.status_code == 302 and answer.headers["Location"].endswith("/profile/photo")
    assert "Сохранено" in visible_text(client.get("/profile/photo").get_data(as_text=True))
    data = photo_of(app, account)
    assert b"SecretCameraMaker" not in data and b"Exif" not in data
    with Image.open(io.BytesIO(data)) as photo:
        assert photo.format == "JPEG" and photo.size == (PHOTO_SIZE, PHOTO_SIZE)
        assert dict(photo.getexif()) == {}
        for point in ((5, 5), (128, 128), (250, 250)):  # the centre square: the blue stripe only
            red, green, blue = photo.getpixel(point)
            assert blue > 200 and red < 40 and green < 40, point


@pytest.mark.parametrize("square, point, colour", [
    ({"crop_x": "0", "crop_y": "0.5", "crop_zoom": "1"}, (30, 128), "red"),  # the left square: red on its left
    ({"crop_x": "1", "crop_y": "0.5", "crop_zoom": "1"}, (225, 128), "green"),  # the right one: green on its right
    ({"crop_x": "0", "crop_y": "0", "crop_zoom": "2"}, (225, 30), "red"),  # half the height, top left: all red
])
def test_the_chosen_square_is_kept(app, account, square, point, colour):
    client = login(app.test_client(), account)
    answer = client.post("/profile/photo", data={"photo": (io.BytesIO(image_bytes()), "photo.jpg"), **square},
                         content_type="multipart/form-data")
    assert answer.status_code == 302
    with Image.open(io.BytesIO(photo_of(app, account))) as photo:
        red, green, blue = photo.getpixel(point)
    assert {"red": red > 200 and blue < 60, "green": green > 120 and red < 60}[colour], (red, green, blue)


@pytest.mark.parametrize("square", [{"crop_x": "2"}, {"crop_y": "-1"}, {"crop_zoom": "10"}, {"crop_x": "nan"},
                                    {"crop_y": "inf"}, {"crop_zoom": "много"}])
def test_an_impossible_square_is_refused_in_russian(app, account, square):
    client = login(app.test_client(), account)
    answer = client.post("/profile/photo", data={"photo": (io.BytesIO(image_bytes()), "photo.jpg"), **square},
                         content_type="multipart/form-data")
    assert answer.status_code == 422 and CYRILLIC_ERROR.search(visible_text(answer.get_data(as_text=True)))
    assert stored(app, account).photo_sha256 is None


def test_a_phones_portrait_stays_upright(app, account):
    """A phone stores a portrait lying on its side and says «rotate» in EXIF: the photo is turned first, then
    the EXIF goes."""
    client = login(app.test_client(), account)
    lying = Image.new("RGB", (600, 300), (0, 0, 255))
    lying.paste((255, 0, 0), (0, 0, 300, 300))  # the top of the portrait, on the left as stored
    exif = Image.Exif()
    exif[0x0112] = 6  # Orientation: rotate 90° clockwise to show
    output = io.BytesIO()
    lying.save(output, "JPEG", exif=exif.tobytes())
    assert upload(client, output.getvalue()).status_code == 302
    with Image.open(io.BytesIO(photo_of(app, account))) as photo:
        upright = photo.convert("RGB")
    # turned clockwise, the red half is on top; the centre square keeps both halves
    assert upright.getpixel((128, 20))[0] > 200 and upright.getpixel((128, 235))[2] > 200


def test_a_transparent_png_and_a_webp_are_taken(app, account):
    client = login(app.test_client(), account)
    transparent = Image.new("RGBA", (300, 300), (0, 0, 0, 0))
    output = io.BytesIO()
    transparent.save(output, "PNG")
    assert upload(client, output.getvalue(), "logo.png").status_code == 302
    with Image.open(io.BytesIO(photo_of(app, account))) as photo:
        assert photo.getpixel((10, 10)) >= (250, 250, 250)  # transparency becomes white, not black
    assert upload(client, image_bytes("WEBP"), "photo.webp").status_code == 302
    with Image.open(io.BytesIO(photo_of(app, account))) as photo:
        assert photo.format == "JPEG" and photo.size == (PHOTO_SIZE, PHOTO_SIZE)


def _bomb() -> bytes:
    output = io.BytesIO()
    Image.new("1", (10000, 8000)).save(output, "PNG")  # 80 megapixels in a few kilobytes
    return output.getvalue()


@pytest.mark.parametrize("data, name, message", [
    (b"%PDF-1.4\n%%EOF\n", "photo.jpg", "Фотография должна быть изображением JPEG, PNG или WebP"),
    ("<svg xmlns='http://www.w3.org/2000/svg'/>".encode(), "photo.svg",
     "Фотография должна быть изображением JPEG, PNG или WebP"),
    (b"GIF89a" + b"\x00" * 100, "photo.gif", "Фотография должна быть изображением JPEG, PNG или WebP"),
    (b"\xff\xd8\xff\xe0" + b"\x00" * 200, "broken.jpg", "Не удалось прочитать фотографию"),
    (b"", "empty.jpg", "Выберите фотографию для загрузки"),
    (b"\xff\xd8\xff" + b"\x00" * (10 * 1024 * 1024), "huge.jpg", "Фотография больше 10 МБ"),
    (None, "bomb.png", "не более 50 мегапикселей"),
])
def test_what_is_not_a_photo_is_refused_in_russian(app, account, data, name, message):
    client = login(app.test_client(), account)
    answer = upload(client, _bomb() if data is None else data, name)
    assert answer.status_code == 422 and message in visible_text(answer.get_data(as_text=True))
    assert stored(app, account).photo_sha256 is None


def test_a_photo_is_shown_to_the_signed_in_only_and_deleted_for_good(app, account, client_for):
    client = login(app.test_client(), account)
    upload(client, image_bytes())
    sha = stored(app, account).photo_sha256
    address = f"/profile/photos/{sha}.jpg"
    colleague = client_for("consultant3")
    shown = colleague.get(address)
    assert shown.status_code == 200 and shown.mimetype == "image/jpeg" and shown.data == photo_of(app, account)
    assert "private" in shown.headers["Cache-Control"]
    anonymous = app.test_client().get(address)
    assert anonymous.status_code == 302 and "/login" in anonymous.headers["Location"]
    # «Пользователи» shows it; the profile's heading too
    assert address in colleague.get(directory_of(app, account)).get_data(as_text=True)
    assert address in client.get("/profile/info").get_data(as_text=True)
    # deleted: gone from the account, the address and the disk
    assert client.post("/profile/photo/delete").headers["Location"].endswith("/profile/photo")
    assert "Фотография удалена" in visible_text(client.get("/profile/photo").get_data(as_text=True))
    assert stored(app, account).photo_sha256 is None and colleague.get(address).status_code == 404
    with app.app_context():
        assert not stored_path(sha).exists()


def test_only_current_photos_are_served_never_another_stored_file(app, client_for):
    with app.app_context():
        document = db.session.query(Document).first()
        sha = document.sha256 if document is not None else "0" * 64
    client = client_for("consultant3")
    assert client.get(f"/profile/photos/{sha}.jpg").status_code == 404
    assert client.get("/profile/photos/..%2F..%2Fsecret.jpg").status_code == 404
    assert client.get("/profile/photos/ZZZ.jpg").status_code == 404


def test_initials_stand_in_for_a_missing_photo(app, account, client_for):
    page = client_for("consultant3").get(directory_of(app, account)).get_data(as_text=True)
    assert 'tmk-avatar-initials' in page and ">ПГ</span>" in page


def test_the_chat_gives_the_authors_photo(app, client_for):
    from tests.conftest import api_token

    client = client_for("requester1")
    upload(client, image_bytes())
    try:
        sha = stored(app, "requester1").photo_sha256
        with app.app_context():
            request_id = new_request().id
        sent = app.test_client().post(f"/api/v1/requests/{request_id}/messages", json={"text": "Здравствуйте"},
                                      headers=api_token(app, "requester1"))
        assert sent.json["result"]["author"]["photo_url"] == f"/profile/photos/{sha}.jpg"
        listed = app.test_client().get(f"/api/v1/requests/{request_id}/messages",
                                       headers=api_token(app, "moadmin1")).json["result"]
        assert listed[-1]["author"]["photo_url"] == f"/profile/photos/{sha}.jpg"
        assert listed[0]["author"] is None  # a system message has no author
    finally:
        client.post("/profile/photo/delete")
    with app.app_context():
        other = new_request().id
    answer = app.test_client().post(f"/api/v1/requests/{other}/messages", json={"text": "Без фото"},
                                    headers=api_token(app, "requester1"))
    assert answer.json["result"]["author"]["photo_url"] is None


# ---- «Настройка уведомлений» and notify() ----

def _mine(request_id: int, user_id: int, action: str) -> list[Notification]:
    return [n for n in db.session.query(Notification).filter_by(request_id=request_id, user_id=user_id)
            if n.event.action == action]


def test_notify_respects_the_switches_per_kind(app, client_for):
    with app.app_context():
        author = user("requester2")
        try:
            # the default: under the bell and by e-mail
            request = new_request(author="requester2")
            apply(user("consultant1"), request, "take")
            default, = _mine(request.id, author.id, "take")
            assert default.in_portal is True and default.email_state != "none"

            # «взята в работу»: by e-mail only; «запрошена информация»: nowhere but the chat
            author.portal_events = [g for g in EMAIL_EVENT_GROUPS if g not in ("taken", "information")]
            author.email_events = [g for g in EMAIL_EVENT_GROUPS if g != "information"]
            db.session.commit()
            request = new_request(author="requester2")
            before = unread_counts({author.id})[author.id]
            apply(user("consultant1"), request, "take")
            mail_only, = _mine(request.id, author.id, "take")
            assert mail_only.in_portal is False and mail_only.email_state != "none"
            assert unread_counts({author.id})[author.id] == before  # the bell does not ring
            apply(user("consultant1"), request, "request_info", {"comment": "Пришлите ЭКГ"})
            assert _mine(request.id, author.id, "request_info") == []
            event_id = db.session.query(RequestEvent.id).filter_by(request_id=request.id, action="request_info").scalar()
            assert db.session.query(Message).filter_by(kind="system", event_id=event_id).count() == 1  # the chat says it
            request_id = request.id
        finally:
            author.portal_muted, author.email_muted = "", ""
            db.session.commit()
    page = client_for("requester2").get("/notifications/").get_data(as_text=True)
    assert f"/requests/{request_id}" not in page  # the mail-only notification is not listed under the bell
