"""How long resolving a follow-up takes (``askbj.answer.followup``); not a test.

Usage: .venv/bin/python bench/followup.py [--rounds 50]
Resolves a few conversations of each kind (swap, pronoun, list reference, reach-back, topic
change) against the shipped domain, after jieba and OpenCC have loaded (as in a running
chat), both with the per-text caches cleared before each call (a new conversation) and
warm (the same earlier turns again). Figures go to bench/RESULTS.md.
"""

from __future__ import annotations

import argparse
import statistics
import time

from askbj.answer.followup import Resolver, Turn
from askbj.domain import load_domain
from askbj.retrieve.anchors import find_anchors
from askbj.text import normalize

LIST = ("为推动数据要素市场化配置，北京主要采取了三方面措施。[1]"
        "一是完善数据产权制度，明确数据资源持有权和加工使用权；[1]"
        "二是建设高水平数据交易平台，扩大场内交易规模；[1]三是加强数据安全监管。[1]")
PLATFORM = "北京国际大数据交易所推出了国内首个“可用不可见”的数据交易平台IDeX系统。[1]"
CONVERSATIONS = [
    ([Turn.of("北京数字经济核心产业新设企业有多少家?")], "那上海呢?"),
    ([Turn.of("2023年北京数字经济增加值是多少?")], "2022年呢?"),
    ([Turn.of("How many firms were set up in Beijing in 2023?")], "And Hangzhou?"),
    ([Turn.of("北京国际大数据交易所是什么时候成立的?")], "它的成交额呢?"),
    ([Turn.of("北京推出了什么平台?", PLATFORM)], "這個平台是誰推出的?"),
    ([Turn.of("What did the Beijing International Data Exchange launch?")],
     "How many products are listed there?"),
    ([Turn.of("北京采取了哪些措施?", LIST)], "第二个方面具体怎么做?"),
    ([Turn.of("北京采取了哪些措施?", LIST)], "Tell me more about the third one"),
    ([Turn.of("海淀区的数字经济增加值是多少?"), Turn.of("北京推出了什么平台?", PLATFORM)],
     "最开始问的那个区有多少家企业?"),
    ([Turn.of("北京推出了什么平台?", PLATFORM)], "上海确立了什么数据交易价格原则?"),
    ([Turn.of("北京数据基础制度先行区以哪里为中心?"), Turn.of("北京推出了什么平台?", PLATFORM)],
     "回到第一个问题，那个先行区的承载范围多大?"),
    ([Turn.of("北京推出了什么平台?", PLATFORM)], "用了哪些技术?"),
]


def timed(resolver: Resolver, rounds: int, cold: bool) -> list[float]:
    samples = []
    for _ in range(rounds):
        for turns, question in CONVERSATIONS:
            if cold:
                normalize.pos_tags.cache_clear()
                find_anchors.cache_clear()
            started = time.perf_counter()
            resolver.resolve(question, turns)
            samples.append((time.perf_counter() - started) * 1000)
    return samples


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--rounds", type=int, default=50)
    rounds = parser.parse_args().rounds
    resolver = Resolver(load_domain())
    timed(resolver, 1, cold=True)  # load jieba, its tagger and OpenCC once
    print("| caches | resolutions | p50 ms | p95 ms | max ms |\n|---|---|---|---|---|")
    for cold in (True, False):
        s = sorted(timed(resolver, rounds, cold))
        print(f"| {'cleared' if cold else 'warm'} | {len(s)} | {statistics.median(s):.2f} | "
              f"{s[int(0.95 * (len(s) - 1))]:.2f} | {s[-1]:.2f} |")


if __name__ == "__main__":
    main()
