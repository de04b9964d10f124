"""Users, roles, API tokens and the one FastAPI dependency that guards every non-public route."""

from dashboard.auth.models import ROLES, ApiToken, User
from dashboard.auth.service import AuthError, UserService

__all__ = ["ROLES", "ApiToken", "AuthError", "User", "UserService"]
