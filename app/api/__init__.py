"""REST APIs under /api/v1 (JWT from /api/v1/security/login, or the browser session)."""
from flask_appbuilder import AppBuilder
from flask_appbuilder.api.manager import SwaggerView

from app.api.conclusions import ConclusionApi
from app.api.messages import MessageApi
from app.api.openapi import PortalOpenApi
from app.api.requests import RequestApi, RouteApi
from app.api.users import UserApi
from app.api.video import VideoApi


def register_apis(appbuilder: AppBuilder) -> None:
    appbuilder.add_api(UserApi)
    appbuilder.add_api(RequestApi)
    appbuilder.add_api(RouteApi)
    appbuilder.add_api(MessageApi)
    appbuilder.add_api(ConclusionApi)
    appbuilder.add_api(VideoApi)
    appbuilder.add_api(PortalOpenApi)
    appbuilder.add_view_no_menu(SwaggerView)
