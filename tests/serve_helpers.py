"""A real uvicorn server in a background thread, for tests/serve."""

from __future__ import annotations

import socket
import threading
from typing import Any

import httpx
import uvicorn

from askbj.serve.app import create_app
from askbj.serve.auth import KeyRing, load_keys
from askbj.serve.config import ServeConfig
from askbj.serve.engine import Engine

DOCS = {
    "alpha.txt": "一、数据交易\n\n北京国际大数据交易所推出了国内首个数据交易平台IDeX系统，"
    "为数据要素市场化配置提供了新的路径。\n\n二、算力布局\n\n"
    "北京以中关村科学城为核心算力走廊，协同怀柔科学城、未来科学城和首钢园四极联动。",
    "beta.txt": "2023年北京市数字经济实现增加值18766.7亿元，占地区生产总值比重达到42.9%。",
}
QUESTION = "2023年北京市数字经济增加值是多少？"
READ_KEY, ADMIN_KEY = "read-key-0123456789", "admin-key-0123456789"
READY_WAIT = 30.0  # seconds a test waits for the engine at most (not a speed assertion)


class LiveServer:
    def __init__(self, config: ServeConfig, engine: Engine, keys: KeyRing) -> None:
        self.app = create_app(config, engine=engine, keys=keys)
        self.engine = engine
        self._sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        self._sock.bind(("127.0.0.1", 0))
        self.port = self._sock.getsockname()[1]
        self.url = f"http://127.0.0.1:{self.port}"
        self._server = uvicorn.Server(uvicorn.Config(self.app, log_level="warning",
                                                     access_log=False))
        self._thread = threading.Thread(target=self._server.run,
                                        kwargs={"sockets": [self._sock]}, daemon=True)

    def start(self) -> LiveServer:
        self._thread.start()
        with httpx.Client(base_url=self.url) as client:
            for _ in range(int(READY_WAIT / 0.05)):
                try:
                    if client.get("/readyz").status_code == 200:
                        return self
                except httpx.TransportError:
                    pass
                threading.Event().wait(0.05)
        raise RuntimeError("the test server did not become ready")

    def stop(self) -> None:
        self._server.should_exit = True
        self._thread.join(timeout=10)
        self._sock.close()

    def client(self, key: str | None = None, **kwargs: Any) -> httpx.Client:
        headers = {"Authorization": f"Bearer {key}"} if key else {}
        return httpx.Client(base_url=self.url, headers=headers, timeout=30, **kwargs)


def keyring() -> KeyRing:
    return load_keys(None, {"ASKBJ_API_KEYS": f"{READ_KEY},{ADMIN_KEY}:admin"})
