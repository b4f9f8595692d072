import sys
from scalesim.scale_sim import scalesim
topo, cfg, out, typ = sys.argv[1:5]
s = scalesim(save_disk_space=False, verbose=False, config=cfg, topology=topo, input_type_gemm=(typ == 'gemm'))
s.run_scale(top_path=out)
