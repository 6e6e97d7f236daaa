"""The beam monitor data channel: XML-RPC callbacks and polling, raw data blocks, sinks."""
