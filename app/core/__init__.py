"""What every layer above the models leans on and that knows nothing of the domain: the errors a
person is shown, the work that follows a commit (jobs, socket events)."""
