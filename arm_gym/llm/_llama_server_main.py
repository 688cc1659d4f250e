"""``python -m arm_gym.llm._llama_server_main [--no_extra_bufts] ARGS``: llama_cpp.server, optionally without
ggml's extra CPU buffer types.

llama.cpp puts weights in "extra" CPU buffer types (AMX tiles, repacked layouts) where the CPU has
them. On CPUs that report AMX inside some VMs its AMX matmul segfaults on the first request, and
llama-cpp-python's server has no option for it; ``--no_extra_bufts`` sets the model parameter
``use_extra_bufts = False`` before handing over to ``llama_cpp.server``. Every other argument
goes to the server unchanged.
"""

from __future__ import annotations

import sys


def main() -> None:
    if "--no_extra_bufts" in sys.argv:
        sys.argv.remove("--no_extra_bufts")
        import llama_cpp.llama_cpp as lib

        default_params = lib.llama_model_default_params

        def params_without_extra_bufts():  # what llama_cpp.Llama calls to build its model parameters
            params = default_params()
            params.use_extra_bufts = False
            return params

        lib.llama_model_default_params = params_without_extra_bufts
    from llama_cpp.server.__main__ import main as server_main

    server_main()


if __name__ == "__main__":
    main()
