"""«Помощь» (manual §2.4): the user guide (Markdown files in guide/), the FAQ the regional administrator
keeps (app.models.help), their rendering to safe HTML and the search over both with Russian morphology."""
