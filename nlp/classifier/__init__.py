"""Persian mention classifier: sentiment, complaint (+categories), suggestion,
comparison (+competitors), recommendation and question, each with scores and
evidence quoted from the text.

    clf = load_classifier(settings.model, brands)
    clf.classify(["غذا سرد رسید"])  # -> [{"sentiment": "negative", ...}]
"""
from shenava.nlp.classifier.model import Classifier, load_classifier

__all__ = ["Classifier", "load_classifier"]
