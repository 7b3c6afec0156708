"""The start page: who I am and where to go."""
from flask import g, redirect, url_for
from flask_appbuilder import IndexView, expose


class HomeView(IndexView):
    index_template = "tmk/home.html"

    @expose("/")
    def index(self):
        if not (g.user and g.user.is_authenticated):
            return redirect(url_for(self.appbuilder.sm.auth_view.__class__.__name__ + ".login"))
        return self.render_template(self.index_template, appbuilder=self.appbuilder, user=g.user)
