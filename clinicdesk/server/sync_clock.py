"""HQ's own hybrid logical clock: it hears every pushed stamp and hands its latest stamp back to the devices."""

import threading
from datetime import datetime

from clinicdesk.domain.sync.hlc import Hlc, HlcStamp

SERVER_NODE = "hq"


def wall_ms(moment: datetime) -> int:
    return int(moment.timestamp() * 1000)


class ServerClock:
    """Thread-safe (request handlers run in a thread pool); kept in memory: after a restart the first push's stamps
    carry it past everything it had seen before."""

    def __init__(self, node: str = SERVER_NODE):
        self._hlc = Hlc(node)
        self._lock = threading.Lock()

    def receive(self, stamps: list[HlcStamp], now: datetime) -> HlcStamp:
        """The server's stamp after seeing `stamps`: later than every one of them."""
        with self._lock:
            latest = self._hlc.now(wall_ms(now))
            for stamp in stamps:
                latest = self._hlc.receive(stamp, wall_ms(now))
            return latest
