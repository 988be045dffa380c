"""`make nlu-report`: intent precision, recall and F1 per language, and the most confused pairs.

    python -m ops.nlu_report holdout [--model M]   the trained model on tests/nlu_holdout.yml
    python -m ops.nlu_report cv [--folds 5]        k-fold cross-validation on data/nlu

Rasa's own `rasa test nlu` reports both languages mixed; here every example is scored in the
language it is written in (bot.language.detect_language; examples with no sign of a language,
like a bare order id, count for both). A prediction of nlu_fallback counts as a miss.
Reports are written as JSON and Markdown under .run/results/nlu/.
"""
import argparse
import asyncio
import json
import random
import sys
import tempfile
from collections import Counter, defaultdict
from pathlib import Path
from typing import Dict, List, Sequence, Tuple

from ops.apps import MODEL_PATH
from ops.paths import ROOT, RUN_DIR
from ops.rasa import prepare_environment

HOLDOUT_FILE = ROOT / "tests" / "nlu_holdout.yml"
RESULTS_DIR = RUN_DIR / "results" / "nlu"
LANGUAGES = ("zh", "en")

Example = Tuple[str, str]  # (text, intent)
Prediction = Tuple[str, str, str]  # (text, expected intent, predicted intent)


def read_examples(path: Path) -> List[Example]:
    from rasa.shared.nlu.training_data.loading import load_data

    return [(m.get("text"), m.get("intent")) for m in load_data(str(path)).intent_examples]


async def predict(model: Path, examples: Sequence[Example]) -> List[Prediction]:
    from rasa.core.agent import Agent

    agent = Agent.load(str(model))
    predictions = []
    for text, intent in examples:
        parsed = await agent.parse_message(text)
        predictions.append((text, intent, parsed["intent"]["name"]))
    return predictions


def scores(predictions: Sequence[Prediction]) -> Dict:
    """Per-intent precision/recall/F1, macro-F1 and accuracy, and the most confused pairs."""
    intents = sorted({expected for _, expected, _ in predictions})
    per_intent = {}
    for intent in intents:
        tp = sum(1 for _, e, p in predictions if e == intent and p == intent)
        fp = sum(1 for _, e, p in predictions if e != intent and p == intent)
        fn = sum(1 for _, e, p in predictions if e == intent and p != intent)
        precision = tp / (tp + fp) if tp + fp else 0.0
        recall = tp / (tp + fn) if tp + fn else 0.0
        f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
        per_intent[intent] = {"precision": round(precision, 3), "recall": round(recall, 3),
                              "f1": round(f1, 3), "support": tp + fn}
    confused = Counter((e, p) for _, e, p in predictions if e != p)
    return {
        "examples": len(predictions),
        "accuracy": round(sum(1 for _, e, p in predictions if e == p) / max(len(predictions), 1), 3),
        "macro_f1": round(sum(v["f1"] for v in per_intent.values()) / max(len(per_intent), 1), 3),
        "intents": per_intent,
        "most_confused": [{"expected": e, "predicted": p, "count": n}
                          for (e, p), n in confused.most_common(8)],
        "errors": [{"text": t, "expected": e, "predicted": p} for t, e, p in predictions if e != p],
    }


def by_language(predictions: Sequence[Prediction]) -> Dict[str, Dict]:
    from bot.language import detect_language

    split: Dict[str, List[Prediction]] = defaultdict(list)
    for prediction in predictions:
        language = detect_language(prediction[0])
        for lang in ([language] if language else LANGUAGES):
            split[lang].append(prediction)
    return {lang: scores(split[lang]) for lang in LANGUAGES}


def stratified_folds(examples: Sequence[Example], folds: int, seed: int = 42) -> List[List[int]]:
    by_intent: Dict[str, List[int]] = defaultdict(list)
    for index, (_, intent) in enumerate(examples):
        by_intent[intent].append(index)
    buckets: List[List[int]] = [[] for _ in range(folds)]
    rng = random.Random(seed)
    for indices in by_intent.values():
        rng.shuffle(indices)
        for position, index in enumerate(indices):
            buckets[position % folds].append(index)
    return buckets


async def cross_validate(folds: int) -> List[Prediction]:
    from rasa.model_training import train_nlu
    from rasa.shared.nlu.training_data.formats.rasa_yaml import RasaYAMLWriter
    from rasa.shared.nlu.training_data.loading import load_data
    from rasa.shared.nlu.training_data.training_data import TrainingData

    data = load_data(str(ROOT / "data" / "nlu"))
    messages = data.intent_examples
    examples = [(m.get("text"), m.get("intent")) for m in messages]
    predictions: List[Prediction] = []
    for fold, test_indices in enumerate(stratified_folds(examples, folds), start=1):
        held_out = set(test_indices)
        train = TrainingData(
            training_examples=[m for i, m in enumerate(messages) if i not in held_out],
            entity_synonyms=data.entity_synonyms, regex_features=data.regex_features,
            lookup_tables=data.lookup_tables,
        )
        with tempfile.TemporaryDirectory() as work:
            nlu_file = Path(work) / "nlu.yml"
            RasaYAMLWriter().dump(nlu_file, train)
            print(f"fold {fold}/{folds}: training on {len(messages) - len(held_out)} examples", flush=True)
            model = train_nlu(str(ROOT / "config.yml"), str(nlu_file), output=work,
                              domain=str(ROOT / "domain.yml"), fixed_model_name=f"fold{fold}")
            predictions += await predict(Path(model), [examples[i] for i in test_indices])
    return predictions


def markdown(title: str, report: Dict[str, Dict]) -> str:
    lines = [f"## {title}", ""]
    for lang in LANGUAGES:
        result = report[lang]
        lines += [f"### {lang}: macro-F1 {result['macro_f1']}, accuracy {result['accuracy']}, "
                  f"{result['examples']} examples", "",
                  "| intent | precision | recall | F1 | support |", "|---|---|---|---|---|"]
        lines += [f"| {name} | {v['precision']} | {v['recall']} | {v['f1']} | {v['support']} |"
                  for name, v in result["intents"].items()]
        lines += ["", "Most confused (expected -> predicted): " + (", ".join(
            f"{c['expected']} -> {c['predicted']} ({c['count']})" for c in result["most_confused"])
            or "none"), ""]
    return "\n".join(lines)


def main(argv: List[str]) -> int:
    parser = argparse.ArgumentParser(prog="python -m ops.nlu_report")
    parser.add_argument("mode", choices=["holdout", "cv"])
    parser.add_argument("--model", type=Path, default=MODEL_PATH)
    parser.add_argument("--folds", type=int, default=5)
    args = parser.parse_args(argv)
    prepare_environment()
    if args.mode == "holdout":
        predictions = asyncio.run(predict(args.model, read_examples(HOLDOUT_FILE)))
        title = f"Held-out set ({HOLDOUT_FILE.relative_to(ROOT)})"
    else:
        predictions = asyncio.run(cross_validate(args.folds))
        title = f"{args.folds}-fold cross-validation (data/nlu)"
    report = by_language(predictions)
    RESULTS_DIR.mkdir(parents=True, exist_ok=True)
    (RESULTS_DIR / f"{args.mode}.json").write_text(json.dumps(report, ensure_ascii=False, indent=2))
    text = markdown(title, report)
    (RESULTS_DIR / f"{args.mode}.md").write_text(text)
    print(text)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
