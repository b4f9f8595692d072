// km_keyexp: the key-expansion unit of the expanded key mode
// (docs/ARCHITECTURE.md section 11): an 80-bit master-key register loaded
// through the serial key port, and Trivium running Par rounds per cycle.
//
// Master key. Each cycle with key_valid_i = 1 writes key_bit_i to the next
// master-key bit (bit 0 first); the 80th bit seals the register. A bit offered
// while sealed is refused and sets the sticky err_o; only reset unseals. The
// key never leaves the unit: it only initialises the cipher state.
//
// Cipher. State bit s_i of the Trivium specification is state_q[i-1]. In a
// cycle with start_i = 1 (ignored unless sealed) the state is loaded with
// key bit i at s_(80-i), IV bit i (iv_i[i]) at s_(173-i) and s_286..s_288 = 1,
// and the first warm-up rounds run in the same edge; the 1152 warm-up rounds
// take WarmCycles = ceil(1152 / Par) cycles, Par rounds each (the last one
// 1152 - (WarmCycles-1)*Par rounds). So with start_i in cycle t, ready_o is 1
// from cycle t + WarmCycles on, and then ks_o holds the next Par keystream
// bits z_j .. z_(j+Par-1) (bit p of ks_o is z_(j+p)); a cycle with next_i = 1
// consumes them (the state advances Par rounds). The array's key unit asserts
// next_i with every weight-row write, so row r of fold f gets
// z_((f*R + r)*C) .. z_((f*R + r)*C + C - 1) for Par = C.
//
// Par <= 64 keeps every round's inputs out of the bits the same cycle's
// earlier rounds produce (the first feedback tap is 65 positions from an
// insertion point), so synthesis sees Par independent round functions.
module km_keyexp #(
  parameter int Par = 16,
  localparam int WarmCycles = (1152 + Par - 1) / Par,
  localparam int LastRounds = 1152 - (WarmCycles - 1) * Par,
  localparam int CntW = $clog2(WarmCycles + 1)
) (
  input  logic           clk_i,
  input  logic           rst_ni,
  input  logic           key_valid_i,
  input  logic           key_bit_i,
  output logic           sealed_o,
  output logic           err_o,
  input  logic           start_i,
  input  logic [79:0]    iv_i,
  output logic           ready_o,
  input  logic           next_i,
  output logic [Par-1:0] ks_o
);

  logic [79:0]  mk_d, mk_q;
  logic [6:0]   mk_cnt_d, mk_cnt_q;
  logic         sealed_d, sealed_q;
  logic         err_d, err_q;
  logic [287:0] state_d, state_q;
  logic [CntW-1:0] warm_d, warm_q;  // warm-up cycles still to run
  logic         ready_d, ready_q;

  logic [287:0] init_state;
  logic [287:0] chain [Par+1];      // chain[p]: state after p rounds from src
  logic [Par-1:0] z;
  logic [287:0] src;
  logic         t1, t2, t3;

  // Initial state from the master key and the IV.
  always_comb begin
    init_state = '0;
    for (int i = 0; i < 80; i++) begin
      init_state[79 - i]  = mk_q[i];   // s_(80-i)
      init_state[172 - i] = iv_i[i];   // s_(173-i)
    end
    init_state[285] = 1'b1;
    init_state[286] = 1'b1;
    init_state[287] = 1'b1;
  end

  // Par Trivium rounds from src; z[p] is round p's keystream bit.
  always_comb begin
    src = start_i ? init_state : state_q;
    chain[0] = src;
    z = '0;
    t1 = 1'b0;
    t2 = 1'b0;
    t3 = 1'b0;
    for (int p = 0; p < Par; p++) begin
      t1 = chain[p][65] ^ chain[p][92];
      t2 = chain[p][161] ^ chain[p][176];
      t3 = chain[p][242] ^ chain[p][287];
      z[p] = t1 ^ t2 ^ t3;
      t1 = t1 ^ (chain[p][90] & chain[p][91]) ^ chain[p][170];
      t2 = t2 ^ (chain[p][174] & chain[p][175]) ^ chain[p][263];
      t3 = t3 ^ (chain[p][285] & chain[p][286]) ^ chain[p][68];
      chain[p+1] = {chain[p][286:0], 1'b0};
      chain[p+1][0]   = t3;
      chain[p+1][93]  = t1;
      chain[p+1][177] = t2;
    end
  end

  always_comb begin
    mk_d     = mk_q;
    mk_cnt_d = mk_cnt_q;
    sealed_d = sealed_q;
    err_d    = err_q;
    state_d  = state_q;
    warm_d   = warm_q;
    ready_d  = ready_q;
    // Master-key port.
    if (key_valid_i) begin
      if (sealed_q) begin
        err_d = 1'b1;
      end else begin
        mk_d[mk_cnt_q] = key_bit_i;
        mk_cnt_d = mk_cnt_q + 7'd1;
        if (mk_cnt_q == 7'd79) begin
          sealed_d = 1'b1;
        end
      end
    end
    // Cipher.
    if (start_i && sealed_q) begin
      state_d = (WarmCycles == 1) ? chain[LastRounds] : chain[Par];
      warm_d  = CntW'(WarmCycles - 1);
      ready_d = (WarmCycles == 1);
    end else if (warm_q != '0) begin
      state_d = (warm_q == CntW'(1)) ? chain[LastRounds] : chain[Par];
      warm_d  = warm_q - CntW'(1);
      ready_d = (warm_q == CntW'(1));
    end else if (ready_q && next_i) begin
      state_d = chain[Par];
    end
  end

  always_ff @(posedge clk_i) begin
    if (!rst_ni) begin
      mk_q     <= '0;
      mk_cnt_q <= '0;
      sealed_q <= 1'b0;
      err_q    <= 1'b0;
      state_q  <= '0;
      warm_q   <= '0;
      ready_q  <= 1'b0;
    end else begin
      mk_q     <= mk_d;
      mk_cnt_q <= mk_cnt_d;
      sealed_q <= sealed_d;
      err_q    <= err_d;
      state_q  <= state_d;
      warm_q   <= warm_d;
      ready_q  <= ready_d;
    end
  end

  assign sealed_o = sealed_q;
  assign err_o    = err_q;
  assign ready_o  = ready_q;
  assign ks_o     = (ready_q && !start_i) ? z : '0;

endmodule
