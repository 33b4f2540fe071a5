"""The derived-kernel Functions scale out on torch.distributed: DistributedDataParallel over two CPU
processes (gloo on localhost) ends with identical parameters on both ranks, equal to one process
training on the same global batch."""
import socket

import pytest
import torch
import torch.distributed as dist
import torch.multiprocessing as mp
import torch.nn.functional as F

from nnderive.numeric import torch_backend as T

STEPS, BATCH, SIZES = 20, 32, (4, 16, 8, 3)


def _data():
    g = torch.Generator().manual_seed(7)
    X = torch.randn(STEPS, BATCH, SIZES[0], generator=g, dtype=torch.float64)
    Y = F.one_hot(torch.randint(0, SIZES[-1], (STEPS, BATCH), generator=g), SIZES[-1]).double()
    return X, Y


def _model():
    torch.manual_seed(11)
    return T.mlp(SIZES, "tanh", dtype=torch.float64)


def _train(model, X, Y):
    opt = torch.optim.SGD(model.parameters(), lr=0.1, momentum=0.9)
    loss_fn = T.SoftmaxCrossEntropy()
    for s in range(STEPS):
        opt.zero_grad()
        loss_fn(model(X[s]), Y[s]).backward()
        opt.step()
    return [p.detach().clone() for p in model.parameters()]


def _worker(rank, world, port, folder):
    torch.set_num_threads(1)
    dist.init_process_group("gloo", init_method=f"tcp://127.0.0.1:{port}", rank=rank, world_size=world)
    try:
        X, Y = _data()
        half = BATCH // world
        # each rank sees its shard of every global batch; DDP averages the gradients, which for a
        # batch-mean loss over equal shards is the gradient of the global batch
        shard = slice(rank * half, (rank + 1) * half)
        model = torch.nn.parallel.DistributedDataParallel(_model())
        params = _train(model, X[:, shard], Y[:, shard])
        torch.save(params, f"{folder}/rank{rank}.pt")
    finally:
        dist.destroy_process_group()


def _free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.mark.skipif(not dist.is_available() or not dist.is_gloo_available(), reason="torch built without gloo")
def test_ddp_two_ranks_equal_single_process(tmp_path):
    _model()    # the Functions are built before the ranks start, so forked ranks inherit them
    # torch.multiprocessing's spawn machinery with fork: the ranks skip re-importing torch and SymPy
    # (seconds each on a shared machine); spawn gives the same result, slower
    mp.start_processes(_worker, args=(2, _free_port(), str(tmp_path)), nprocs=2, join=True, start_method="fork")
    ranks = [torch.load(tmp_path / f"rank{r}.pt") for r in range(2)]
    X, Y = _data()
    single = _train(_model(), X, Y)
    for a, b, s in zip(ranks[0], ranks[1], single):
        assert torch.equal(a, b), "ranks disagree"
        assert torch.allclose(a, s, rtol=1e-10, atol=1e-12), "DDP differs from one process"
    assert not torch.allclose(single[0], _model()[0].weight.detach()), "training did not move the weights"
