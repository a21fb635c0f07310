"""The query syntax analysts already use, read into a small syntax tree.

    Nvidia Huawei          both words (implicit AND)
    "entity list"          an exact phrase
    -Huawei  -"H20 chip"   exclude a word or a phrase (NOT Huawei works too)
    Nvidia OR Huawei       either (OR in capitals; binds tighter than the implicit AND)
    (Nvidia OR AMD) China  groups
    licen*                 a prefix (app.search.query decides whether it may be one)
    company:huawei         a field: company, chip, restriction, region, agency

The grammar (a hand-written recursive descent, fuzzed by tests/test_query_syntax.py):

    query   := seq EOF
    seq     := or_expr+
    or_expr := unary (OR unary)*
    unary   := NEG unary | primary
    primary := "(" seq ")" | PHRASE | FIELD | WORD

Anything it cannot read (an unclosed quote or parenthesis, a dangling OR, a group with only
exclusions, nesting deeper than MAX_DEPTH) is read again as plain words, and the reason is
returned as a notice: a query never fails and never turns into an error page.
"""

import re
from dataclasses import dataclass, field

FIELDS = ("company", "chip", "restriction", "region", "agency")
MAX_DEPTH = 8
MAX_LEAVES = 32


@dataclass(frozen=True)
class Word:
    text: str
    prefix: bool = False  # typed with a trailing *


@dataclass(frozen=True)
class Phrase:
    text: str


@dataclass(frozen=True)
class FieldTerm:
    name: str  # one of FIELDS
    value: str


@dataclass(frozen=True)
class Not:
    item: "Node"


@dataclass(frozen=True)
class Or:
    items: tuple["Node", ...]


@dataclass(frozen=True)
class Group:
    """All of its items (the implicit AND); the whole query is a Group."""

    items: tuple["Node", ...]


Node = Word | Phrase | FieldTerm | Not | Or | Group


@dataclass(frozen=True)
class Parsed:
    query: Group
    notices: tuple[str, ...] = field(default_factory=tuple)
    degraded: bool = False  # the syntax could not be read: plain words


class SyntaxProblem(Exception):
    def __init__(self, message: str, position: int):
        super().__init__(message)
        self.message, self.position = message, position


_QUOTES = str.maketrans({"“": '"', "”": '"', "„": '"', "«": '"', "»": '"', "＂": '"'})
_LEXEME = re.compile(
    r"""
    (?P<space>\s+)
  | (?P<lparen>\()
  | (?P<rparen>\))
  | (?P<field>(?:company|chip|restriction|region|agency):(?:"[^"]*"|[^\s()"]+))
  | (?P<phrase>"[^"]*")
  | (?P<quote>")
  | (?P<word>[^\s()"]+)
""",
    re.VERBOSE | re.IGNORECASE,
)


@dataclass(frozen=True)
class _Tok:
    kind: str  # lparen rparen field phrase word or neg
    text: str
    pos: int


def _lex(q: str) -> list[_Tok]:
    toks: list[_Tok] = []
    for m in _LEXEME.finditer(q):
        kind, text, pos = m.lastgroup or "", m.group(), m.start()  # (every lexeme is a named group)
        if kind == "space":
            continue
        if kind == "quote":
            raise SyntaxProblem("a quote is not closed", pos)
        if kind == "word" and text == "OR":
            kind = "or"
        elif kind == "word" and text == "AND":
            continue  # the implicit conjunction, written out
        elif kind == "word" and text == "NOT":
            kind = "neg"
        elif kind == "word" and text == "-" and q[m.end() : m.end() + 1] in ("(", '"'):
            kind = "neg"  # -(group) or -"phrase"
        elif kind == "word" and text.startswith("-") and len(text) > 1 and text[1] != "-":
            toks.append(_Tok("neg", "-", pos))
            toks.extend(_lex_rest(text[1:], pos + 1, q))
            continue
        toks.append(_Tok(kind, text, pos))
    return toks


def _lex_rest(text: str, pos: int, q: str) -> list[_Tok]:
    """What follows a leading minus inside one word-lexeme (e.g. -Huawei or -company:x)."""
    return [_Tok(t.kind, t.text, t.pos + pos) for t in _lex(text)]


class _Parser:
    def __init__(self, toks: list[_Tok], length: int):
        self.toks, self.i, self.length, self.leaves = toks, 0, length, 0

    def peek(self) -> _Tok | None:
        return self.toks[self.i] if self.i < len(self.toks) else None

    def take(self) -> _Tok:
        tok = self.toks[self.i]
        self.i += 1
        return tok

    def query(self) -> Group:
        group = self.seq(0)
        tok = self.peek()
        if tok is not None:
            raise SyntaxProblem("a closing parenthesis has no opening one", tok.pos)
        return group

    def seq(self, depth: int) -> Group:
        items: list = []
        while (tok := self.peek()) is not None and tok.kind != "rparen":
            items.append(self.or_expr(depth))
        return Group(tuple(items))

    def or_expr(self, depth: int):
        items = [self.unary(depth)]
        while (tok := self.peek()) is not None and tok.kind == "or":
            self.take()
            nxt = self.peek()
            if nxt is None or nxt.kind in ("or", "rparen"):
                raise SyntaxProblem("OR needs a term on both sides", tok.pos)
            items.append(self.unary(depth))
        if len(items) == 1:
            return items[0]
        if any(isinstance(item, Not) for item in items):
            raise SyntaxProblem("an exclusion cannot be one side of OR", self._pos())
        return Or(tuple(items))

    def unary(self, depth: int):
        tok = self.peek()
        if tok is not None and tok.kind == "neg":
            self.take()
            nxt = self.peek()
            if nxt is None or nxt.kind in ("or", "rparen", "neg"):
                raise SyntaxProblem("a minus needs a word, phrase or group after it", tok.pos)
            return Not(self.primary(depth))
        return self.primary(depth)

    def primary(self, depth: int):
        tok = self.take()
        if tok.kind == "or":
            raise SyntaxProblem("OR needs a term on both sides", tok.pos)
        if tok.kind == "lparen":
            if depth >= MAX_DEPTH:
                raise SyntaxProblem(f"parentheses nest deeper than {MAX_DEPTH}", tok.pos)
            group = self.seq(depth + 1)
            close = self.peek()
            if close is None:
                raise SyntaxProblem("a parenthesis is not closed", tok.pos)
            self.take()
            if not group.items:
                raise SyntaxProblem("empty parentheses", tok.pos)
            if all(isinstance(item, Not) for item in group.items):
                raise SyntaxProblem("a group has only exclusions", tok.pos)
            return group.items[0] if len(group.items) == 1 else group
        self.leaves += 1
        if self.leaves > MAX_LEAVES:
            raise SyntaxProblem(f"more than {MAX_LEAVES} terms", tok.pos)
        if tok.kind == "phrase":
            return Phrase(tok.text[1:-1])
        if tok.kind == "field":
            name, _, value = tok.text.partition(":")
            return FieldTerm(name.lower(), value.strip('"'))
        if tok.text.endswith("*") and tok.text.rstrip("*"):
            return Word(tok.text.rstrip("*"), prefix=True)
        return Word(tok.text)

    def _pos(self) -> int:
        tok = self.peek()
        return tok.pos if tok is not None else self.length


_PLAIN = re.compile(r"[^\s()\"*]+")


def plain_words(q: str) -> Group:
    """The query as plain words: what a malformed query is searched as."""
    words = []
    for m in _PLAIN.finditer(q.translate(_QUOTES)):
        text = m.group().lstrip("-")
        if text and text not in ("OR", "AND", "NOT"):
            words.append(Word(text))
    return Group(tuple(words[:MAX_LEAVES]))


def parse(q: str) -> Parsed:
    """Read a query; never raises (a malformed query comes back as plain words, with a notice)."""
    q = q.translate(_QUOTES)
    try:
        return Parsed(_Parser(_lex(q), len(q)).query())
    except SyntaxProblem as problem:
        return Parsed(
            plain_words(q),
            (
                f"{problem.message} (at character {problem.position + 1}): "
                "the query was searched as plain words",
            ),
            degraded=True,
        )
    except RecursionError:  # cannot happen below MAX_DEPTH; a parser bug must not fail a search
        return Parsed(
            plain_words(q), ("the query could not be read: searched as plain words",), degraded=True
        )


_FIELD_LEXEME = re.compile(
    r'(?<![^\s(])(company|chip|restriction|region|agency):("[^"]*"|[^\s()"]+)', re.I
)


def without_fields(q: str, fields: list[tuple[str, str]]) -> str:
    """q without the given top-level name:value terms (they became facet filters)."""
    wanted = {(name.lower(), value) for name, value in fields}

    def drop(m: re.Match) -> str:
        return "" if (m.group(1).lower(), m.group(2).strip('"')) in wanted else m.group()

    return " ".join(_FIELD_LEXEME.sub(drop, q.translate(_QUOTES)).split())
