"""`askbj serve`: askbj over HTTP — OpenAI-compatible chat completions plus REST records.

One concept per module: ``engine`` is the only one that talks to the rest of askbj (model,
index, records); ``config`` the settings; ``auth`` keys and scopes; ``limits`` the rate limit
and concurrency gate; ``errors`` the OpenAI error shape; ``messages`` the OpenAI wire shapes;
``middleware`` request ids, body limits and the access log; ``app`` the routes; ``server``
the loopback check and uvicorn.
"""
