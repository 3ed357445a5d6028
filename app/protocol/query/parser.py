"""Recursive-descent parser for the CIMI `$filter` grammar.

    Filter     ::= AndExpr ( 'or' AndExpr )*
    AndExpr    ::= Term ( 'and' Term )*
    Term       ::= '(' Filter ')' | Operand Op Operand
    Operand    ::= Attribute | 'property' '[' String ']' | Value
    Op         ::= '=' | '!=' | '<' | '<=' | '>' | '>='

One side of a comparison must be an attribute and the other a value. `and` and `or` chains
are loops, not recursion, so they parse in linear time; only parentheses recurse, and their
depth is limited, as is the length of the text.
"""
from .errors import QueryError
from .lexer import FILTER, tokenize
from .nodes import AllOf, AnyOf, Comparison

MAX_FILTER_LENGTH = 8192
MAX_FILTER_DEPTH = 32

_FLIPPED = {"=": "=", "!=": "!=", "<": ">", "<=": ">=", ">": "<", ">=": "<="}
_VALUE_KINDS = ("string", "integer", "date", "boolean")
_PROPERTIES = "properties"


def parse_filter(text):
    """The filter node of one `$filter` value; `QueryError` (a `BadRequest`) if malformed."""
    if len(text) > MAX_FILTER_LENGTH:
        raise QueryError(
            FILTER, f"longer than {MAX_FILTER_LENGTH} characters ({len(text)})"
        )
    return _Parser(tokenize(text)).parse()


def all_of(nodes):
    """The conjunction of `nodes`, flattened so that top-level terms stay visible."""
    terms = []
    for node in nodes:
        terms.extend(node.terms if isinstance(node, AllOf) else (node,))
    return terms[0] if len(terms) == 1 else AllOf(tuple(terms))


def _any_of(nodes):
    terms = []
    for node in nodes:
        terms.extend(node.terms if isinstance(node, AnyOf) else (node,))
    return terms[0] if len(terms) == 1 else AnyOf(tuple(terms))


class _Operand:
    def __init__(self, token, path=None, is_property=False):
        self.token = token
        self.path = path
        self.is_property = is_property

    @property
    def is_attribute(self):
        return self.path is not None


class _Parser:
    def __init__(self, tokens):
        self._tokens = tokens
        self._index = 0

    def parse(self):
        node = self._disjunction(depth=0)
        self._expect_kind("end", "'and', 'or' or the end of the filter")
        return node

    def _peek(self):
        return self._tokens[self._index]

    def _advance(self):
        token = self._tokens[self._index]
        if token.kind != "end":
            self._index += 1
        return token

    def _fail(self, token, expected):
        raise QueryError(FILTER, f"expected {expected}, found {token.describe()}", token.position)

    def _expect_kind(self, kind, expected):
        token = self._peek()
        if token.kind != kind:
            self._fail(token, expected)
        return self._advance()

    def _disjunction(self, depth):
        terms = [self._conjunction(depth)]
        while self._peek().kind == "or":
            self._advance()
            terms.append(self._conjunction(depth))
        return _any_of(terms)

    def _conjunction(self, depth):
        terms = [self._term(depth)]
        while self._peek().kind == "and":
            self._advance()
            terms.append(self._term(depth))
        return all_of(terms)

    def _term(self, depth):
        token = self._peek()
        if token.kind != "(":
            return self._comparison()
        if depth >= MAX_FILTER_DEPTH:
            raise QueryError(
                FILTER, f"parentheses nested deeper than {MAX_FILTER_DEPTH} levels", token.position
            )
        self._advance()
        node = self._disjunction(depth + 1)
        self._expect_kind(")", "')' or 'and' or 'or'")
        return node

    def _comparison(self):
        left = self._operand()
        operator = self._expect_kind("op", "an operator (=, !=, <, <=, >, >=)")
        right = self._operand()
        if left.is_attribute == right.is_attribute:
            problem = (
                "two attributes (quote string values)" if left.is_attribute else "two values"
            )
            raise QueryError(
                FILTER,
                f"a comparison needs an attribute on one side and a value on the other, "
                f"found {problem}",
                left.token.position,
            )
        if left.is_attribute:
            return _checked(left, operator.value, right)
        return _checked(right, _FLIPPED[operator.value], left)

    def _operand(self):
        token = self._advance()
        if token.kind in _VALUE_KINDS:
            return _Operand(token)
        if token.kind != "path":
            self._fail(token, "an attribute or a value")
        if token.text == "property" and self._peek().kind == "[":
            return self._property(token)
        return _Operand(token, path=token.value)

    def _property(self, token):
        self._advance()
        key = self._expect_kind("string", "a quoted property name")
        self._expect_kind("]", "']'")
        return _Operand(token, path=(_PROPERTIES, key.value), is_property=True)


def _checked(attribute, operator, value):
    literal = value.token
    if literal.kind == "boolean" and operator not in ("=", "!="):
        raise QueryError(
            FILTER, f"true and false can only be compared with = or !=, not {operator}",
            literal.position,
        )
    if attribute.is_property and literal.kind != "string":
        raise QueryError(
            FILTER, "property values are strings: quote the value", literal.position
        )
    return Comparison(attribute.path, operator, literal.value, attribute.token.position)
