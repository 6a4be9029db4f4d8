"""The instrument: one validated, immutable survey definition for web, bot and analysis."""
from .loader import InstrumentError, bundled_path, load_instrument, parse_cached, parse_instrument
from .model import Choice, ChoiceList, Indicator, Instrument, Published, Question, Section, ShowIf, Target
from .types import REGISTRY, REQUIRED_MESSAGE, InvalidAnswer, InvalidCell, QuestionType, question_type

__all__ = [
    "REGISTRY",
    "REQUIRED_MESSAGE",
    "Choice",
    "ChoiceList",
    "Indicator",
    "Instrument",
    "InstrumentError",
    "InvalidAnswer",
    "InvalidCell",
    "Published",
    "Question",
    "QuestionType",
    "Section",
    "ShowIf",
    "Target",
    "bundled_path",
    "load_instrument",
    "parse_cached",
    "parse_instrument",
    "question_type",
]
