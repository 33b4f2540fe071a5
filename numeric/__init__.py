"""nnderive.numeric: kernels lambdified from derive/'s proved expressions, and the networks they train.

Modules: :mod:`~numeric.codegen` (vectorise, stabilise, print), :mod:`~numeric.kernels`
(the registry), :mod:`~numeric.network` (an MLP as pure functions), :mod:`~numeric.optim`
(``(init, update)`` optimizers), :mod:`~numeric.data`, :mod:`~numeric.train`,
:mod:`~numeric.gradcheck`, :mod:`~numeric.example` (the worked example),
:mod:`~numeric.bench` (the step benchmark), :mod:`~numeric.plots`.
"""
from .kernels import kernel, kernels
from .network import Spec, backward, forward, init_params, loss, predict, value_and_grad

__all__ = ["kernel", "kernels", "Spec", "init_params", "forward", "backward", "loss", "value_and_grad", "predict"]
