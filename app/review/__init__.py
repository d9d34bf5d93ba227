"""The recruiter review mode: staff sign-in, the queue, offer review actions, analytics (Chainlit handlers).

The app entry imports `app.review.auth` (it registers the staff sign-in callbacks) and `app.review.handlers`
(the action callbacks), calls `app.review.runtime.configure(...)` once at start-up, and dispatches staff users
to `start_review(user)` / `on_review_message(message, user)`.
"""
