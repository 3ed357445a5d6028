"""The one error type of the query package."""
from app.errors import BadRequest


class QueryError(BadRequest):
    """A query parameter is malformed; answered as 400 like any `BadRequest`.

    `parameter` names the query parameter (`$filter`, `$orderby`, ...) and `position` is the
    1-based character position inside its value where the problem was found, or None when
    the problem concerns the value as a whole.
    """

    def __init__(self, parameter, problem, position=None):
        where = "" if position is None else f" at position {position}"
        super().__init__(f"Invalid {parameter}{where}: {problem}")
        self.parameter = parameter
        self.position = position
        self.problem = problem
