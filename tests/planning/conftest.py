from tests.web.conftest import signed_in  # noqa: F401  (the pages' tests sign in as the web's do)
