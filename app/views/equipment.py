"""«Проверка оборудования» (manual §4.2, «Доступ»: «тестирование оборудования»): the camera, the microphone and
the speakers tried in the browser before a video consultation, and the devices chosen for it. Nothing is sent to
the server: the page is the test (app/static/js/equipment.js), the choice stays in the browser's localStorage,
where the request's video room reads it."""
from flask_appbuilder import BaseView, expose, has_access
from flask_appbuilder.security.decorators import permission_name
from flask_babel import lazy_gettext as _l


class EquipmentView(BaseView):
    route_base = "/video"
    default_view = "check"
    # everyone who has a profile may test his equipment: the profile's permission, no role of its own
    class_permission_name = "Profile"
    base_permissions = ["can_read"]

    @expose("/equipment")
    @has_access
    @permission_name("read")
    def check(self):
        return self.render_template("video/equipment.html", title=_l("Equipment check"))
