"""nnderive.numeric: kernels lambdified from derive/'s proved expressions, and the networks they train.

Modules: :mod:`~nnderive.numeric.codegen` (vectorise, stabilise, print), :mod:`~nnderive.numeric.kernels`
(the registry), :mod:`~nnderive.numeric.network` (an MLP as pure functions), :mod:`~nnderive.numeric.optim`
(``(init, update)`` optimizers), :mod:`~nnderive.numeric.data`, :mod:`~nnderive.numeric.train`,
:mod:`~nnderive.numeric.gradcheck`, :mod:`~nnderive.numeric.example` (the worked example),
:mod:`~nnderive.numeric.bench` (the step benchmark), :mod:`~nnderive.numeric.plots`.
"""
from .kernels import kernel, kernels
from .network import Spec, backward, forward, init_params, loss, predict, value_and_grad

__all__ = ["kernel", "kernels", "Spec", "init_params", "forward", "backward", "loss", "value_and_grad", "predict"]
