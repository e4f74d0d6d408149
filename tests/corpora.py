"""Small fixture corpora that several test modules build: a folder of documents to ingest,
and an index made directly from two short texts (no model)."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np

from askbj.config import Settings
from askbj.index import store as index_store
from askbj.ingest.chunk import Chunker
from askbj.records import Document

DOCS = {
    "a.txt": "一、数据交易\n\n北京国际大数据交易所推出了国内首个数据交易平台IDeX系统，"
    "为数据要素市场化配置提供了新的路径。该平台已经服务数百家机构，交易规模持续扩大，"
    "并在跨境数据流通方面开展了积极探索。\n\n二、算力布局\n\n"
    "北京以中关村科学城为核心算力走廊，协同怀柔科学城、未来科学城、北京经济技术开发区和"
    "首钢园四极联动，形成一廊四极的算力格局，为人工智能大模型训练提供了坚实的基础支撑。",
    "b.txt": "一、发展规模\n\n2023年北京市数字经济实现增加值18766.7亿元，占地区生产总值"
    "比重达到42.9%，数字经济已经成为推动首都高质量发展的重要引擎和关键力量之一。\n\n"
    "二、发展方向\n\n北京率先建设全球数字经济标杆城市，推动智慧城市建设，完善数字政府"
    "服务体系，持续提升城市治理的数字化、网络化和智能化水平，打造数字经济创新高地。",
    "c.txt": "一、人才培养\n\n本文讨论了数字经济领域人才培养与引进的若干问题，认为高校、"
    "科研院所和企业应当加强协同，共同建设面向产业需求的复合型人才培养体系和评价机制。\n\n"
    "二、国际合作\n\n北京应当积极参与数字经济国际规则制定，拓展数字贸易合作伙伴，"
    "推动数据跨境流动试点，建设具有全球影响力的数字经济开放合作平台和交流中心。",
}


def write_ingest(root: Path, docs: dict[str, str] = DOCS) -> Settings:
    ingest = root / "ingest"
    ingest.mkdir(exist_ok=True)
    for name, text in docs.items():
        (ingest / name).write_text(text, encoding="utf-8")
    return Settings(ingest_dir=ingest, index_dir=root / "index")



TEXTS = {
    "alpha": "一、数据交易\n\n北京国际大数据交易所推出了数据交易平台IDeX系统。"
    "该平台已经服务数百家机构，交易规模持续扩大。\n\n二、算力布局\n\n"
    "北京以中关村科学城为核心算力走廊，协同怀柔科学城、未来科学城和首钢园四极联动。",
    "beta": "2023年北京市数字经济实现增加值18766.7亿元，占地区生产总值比重达到42.9%。"
    "北京率先建设全球数字经济标杆城市。",
}


MODEL = "fake/model"


def build_index(model: str = MODEL) -> index_store.Index:
    docs = [
        Document(
            doc_id=k,
            path=f"ingest/{k}.txt",
            title=f"《{k}》",
            text=v,
            sha256=k * 4,
            authors=("张三", "李四"),
            date="2025-01-17",
            lang="zh-Hans",
            offsets=tuple(range(len(v))),
        )
        for k, v in TEXTS.items()
    ]
    chunker = Chunker(size=60, overlap=10)
    chunks = [c for d in docs for c in chunker.split(d)]
    rng = np.random.default_rng(len(chunks))
    vectors = rng.standard_normal((len(chunks), 16)).astype(np.float32)
    vectors /= np.linalg.norm(vectors, axis=1, keepdims=True)
    manifest = index_store.Manifest(
        model=model,
        dim=vectors.shape[1],
        chunking=chunker.params,
        corpus={f"{k}.txt": k for k in TEXTS},
    )
    return index_store.make_index(docs, chunks, vectors, manifest)


def saved_index(folder: Path) -> index_store.Index:
    """The small index of ``build_index``, saved to ``folder``."""
    idx = build_index()
    index_store.save(idx, folder)
    return idx


def rehash(folder: Path) -> None:
    """Make the manifest agree with damaged files, so the parse checks themselves are hit."""
    path = folder / "manifest.json"
    manifest = json.loads(path.read_text(encoding="utf-8"))
    manifest["files"] = {name: index_store._sha256(folder / name) for name in manifest["files"]}
    path.write_text(json.dumps(manifest), encoding="utf-8")

