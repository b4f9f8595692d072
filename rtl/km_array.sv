// km_array: the keyed weight-stationary MAC array, Rows x Cols PEs.
// Ports and cycle semantics: docs/ARCHITECTURE.md section 7 (see docs/RTL.md).
//
//   activation row presented in cycle t  -> PE (r, c) in cycle t + r + c
//   weight row written in cycle t        -> PE (r, c) bank at edge ending t + c
//   sums of that activation row          -> psum_data_o in cycle t + Rows + Cols - 1
//
// Keyed = 0 builds no key register: the key inputs are ignored and
// key_sealed_o / key_err_o are 0. SignMag selects the PE datapath (km_pe.sv);
// both give identical results for weights in [-127, 127].
//
// KeyMode selects the key source of a keyed array (docs/ARCHITECTURE.md 11):
//   0 periodic (default): the R*C-bit key register (km_keyreg), one bit per PE.
//   1 expanded: the key port loads the 80-bit master key of km_keyexp
//     (Trivium, Par = Cols rounds per cycle); kx_start_i with the layer's IV
//     on kx_iv_i restarts it (ceil(1152/Cols) warm-up cycles); every weight
//     row written takes the unit's Cols keystream bits, skewed like the
//     weights, into one key bit beside each weight register (2 banks: 2*R*C
//     flops), and the PE's sign uses the key bit of the activation's bank.
//   The expanded array has two more input ports, kx_start_i and kx_iv_i; they
//   exist only when the design is read with KM_KEY_EXPANDED defined, so the
//   periodic and plain arrays keep exactly the ports of section 7.
//
// SimGrid selects how the PE grid is written (same ports, same cycle-exact
// behaviour, docs/RTL.md "The simulation form of the PE grid"):
//   0 (default): Rows*Cols km_pe instances. What Yosys synthesises, what the
//     VCD/SAIF traces name (g_row[r].g_col[c].u_pe.*) and what every traced
//     verilated model runs.
//   1: the same registers as arrays updated by loops (g_simgrid), for
//     simulation speed only: Verilator emits one loop body per column instead
//     of one copy of the PE per instance. Periodic or plain arrays only. The
//     untraced verilated models use it; a test compares every output port in
//     every cycle against the SimGrid = 0 model.
module km_array #(
  parameter int Rows    = 4,
  parameter int Cols    = 4,
  parameter bit Keyed   = 1'b1,
  parameter bit SignMag = 1'b1,
  parameter int KeyMode = 0,
  parameter bit SimGrid = 1'b0,
  localparam int RowW   = km_params_pkg::index_width(Rows),   // params/keymac_params.json
  localparam int WB     = km_params_pkg::WeightBits,
  localparam int AB     = km_params_pkg::ActBits,
  localparam int PB     = km_params_pkg::PsumBits,
  localparam int AW     = SignMag ? 9 : 8,   // activation width inside the array
  localparam int HW     = AW + 2             // {valid, bank, data} moving right
) (
  input  logic                 clk_i,
  input  logic                 rst_ni,
  // serial key port
  input  logic                 key_valid_i,
  input  logic                 key_bit_i,
  output logic                 key_sealed_o,
  output logic                 key_err_o,
  // weight write port: one row of Cols weights per cycle
  input  logic                 w_valid_i,
  input  logic [RowW-1:0]      w_row_i,
  input  logic                 w_bank_i,
  input  logic [WB*Cols-1:0]   w_data_i,
  // activation port: one row of Rows activations per cycle
  input  logic                 a_valid_i,
  input  logic                 a_bank_i,
  input  logic [AB*Rows-1:0]   a_data_i,
  // column sums
  output logic                 psum_valid_o,
  output logic [PB*Cols-1:0]   psum_data_o
`ifdef KM_KEY_EXPANDED
  ,
  // expanded key mode: restart the key unit with this layer's IV
  input  logic                 kx_start_i,
  input  logic [79:0]          kx_iv_i
`endif
);

  localparam int CW = RowW + 2;  // weight-write control {valid, bank, row}

  // The shared parameters this model was built with, readable by the C++ side
  // (Verilator public), which checks them at start-up against its own
  // params/keymac_params.h (rtl/tb/rtl_model.cc.in).
  /* verilator lint_off UNUSEDPARAM */
  localparam int unsigned ParamsId /*verilator public*/ = km_params_pkg::ParamsId;
  /* verilator lint_on UNUSEDPARAM */

  // ---------------------------------------------------------------------------
  // Key register
  // ---------------------------------------------------------------------------
  logic [Rows*Cols-1:0] key;
  /* verilator tracing_off */
  logic [Cols-1:0]      kx_ks;   // expanded: the key unit's bits for the row written now
  /* verilator tracing_on */

  if (Keyed && KeyMode == 1) begin : g_keyexp
`ifdef KM_KEY_EXPANDED
    /* verilator lint_off PINCONNECTEMPTY */
    km_keyexp #(
      .Par (Cols)
    ) u_keyexp (
      .clk_i,
      .rst_ni,
      .key_valid_i,
      .key_bit_i,
      .sealed_o (key_sealed_o),
      .err_o    (key_err_o),
      .start_i  (kx_start_i),
      .iv_i     (kx_iv_i),
      .ready_o  (),
      .next_i   (w_valid_i),
      .ks_o     (kx_ks)
    );
    /* verilator lint_on PINCONNECTEMPTY */
    assign key = '0;  // no key register: the PEs use the key bits stored with their weights
`else
    $error("km_array: KeyMode = 1 needs the design read with KM_KEY_EXPANDED defined (ports kx_start_i, kx_iv_i)");
`endif
  end
  // Separate generate blocks (not else-if): the periodic array's hierarchy
  // names (g_key.u_keyreg) stay those Yosys and the SAIF naming expect.
  if (Keyed && KeyMode != 1) begin : g_key
    km_keyreg #(
      .Rows (Rows),
      .Cols (Cols)
    ) u_keyreg (
      .clk_i,
      .rst_ni,
      .key_valid_i,
      .key_bit_i,
      .key_o    (key),
      .sealed_o (key_sealed_o),
      .err_o    (key_err_o)
    );
    assign kx_ks = '0;
  end
  if (!Keyed) begin : g_nokey
    assign kx_ks        = '0;
    assign key          = '0;
    assign key_sealed_o = 1'b0;
    assign key_err_o    = 1'b0;
  end

  // ---------------------------------------------------------------------------
  // Weight writes, skewed by one cycle per column
  // ---------------------------------------------------------------------------
  // Flattened wiring between PEs: split per element for Verilator, and not
  // traced (each PE's own registers are), so the model never rebuilds the
  // wide vectors per cycle.
  /* verilator tracing_off */
  logic [Cols*CW-1:0] w_ctrl /* verilator split_var */;  // column c: {valid, bank, row} delayed c cycles
  logic [Cols*8-1:0]  w_col /* verilator split_var */;   // column c: weight (internal format) delayed c cycles
  logic [Cols-1:0]    kx_col;  // expanded: column c's key bit delayed c cycles
  /* verilator tracing_on */

  for (genvar c = 0; c < Cols; c++) begin : g_wcol
    logic [7:0] w_in;
    logic [6:0] w_neg;  // low 7 bits of -w: |w| for w in [-127, -1]
    assign w_neg = 7'(-w_data_i[8*c +: 7]);
    // SignMag: {sign, |w|[6:0]}; w = -128 is outside the spec (becomes -0).
    assign w_in  = SignMag ? {w_data_i[8*c+7], (w_data_i[8*c+7] ? w_neg
                                                                 : w_data_i[8*c +: 7])}
                           : w_data_i[8*c +: 8];
    if (c == 0) begin : g_first
      assign w_ctrl[CW-1:0] = {w_valid_i, w_bank_i, w_row_i};
    end else begin : g_next
      km_delay #(
        .Width (CW),
        .Depth (1)
      ) u_ctrl_dly (
        .clk_i,
        .rst_ni,
        .d_i (w_ctrl[(c-1)*CW +: CW]),
        .q_o (w_ctrl[c*CW +: CW])
      );
    end
    km_delay #(
      .Width (8),
      .Depth (c)
    ) u_data_dly (
      .clk_i,
      .rst_ni,
      .d_i (w_in),
      .q_o (w_col[8*c +: 8])
    );
    if (Keyed && KeyMode == 1) begin : g_kx
      // The row's key bit for this column travels with its weight.
      km_delay #(
        .Width (1),
        .Depth (c)
      ) u_key_dly (
        .clk_i,
        .rst_ni,
        .d_i (kx_ks[c]),
        .q_o (kx_col[c])
      );
    end else begin : g_nokx
      assign kx_col[c] = 1'b0;
    end
  end

  // ---------------------------------------------------------------------------
  // Activations: convert, mask when invalid, skew by one cycle per row
  // ---------------------------------------------------------------------------
  // Flattened wiring between PEs: split per element for Verilator, and not
  // traced (each PE's own registers are), so the model never rebuilds the
  // wide vectors per cycle.
  /* verilator tracing_off */
  logic [Rows*HW-1:0] a_row /* verilator split_var */;  // row r: {valid, bank, data} delayed r cycles
  /* verilator tracing_on */

  for (genvar r = 0; r < Rows; r++) begin : g_arow
    logic [7:0]    a_raw;
    logic [7:0]    a_neg;
    logic [AW-1:0] a_conv;
    assign a_raw  = a_data_i[8*r +: 8];
    assign a_neg  = 8'(-a_raw);
    // SignMag: {sign, |a|[7:0]}; |-128| = 128 fits the 8-bit magnitude.
    assign a_conv = SignMag ? AW'({a_raw[7], (a_raw[7] ? a_neg : a_raw)}) : AW'(a_raw);
    km_delay #(
      .Width (HW),
      .Depth (r)
    ) u_skew (
      .clk_i,
      .rst_ni,
      .d_i ({a_valid_i, a_bank_i, a_conv & {AW{a_valid_i}}}),
      .q_o (a_row[r*HW +: HW])
    );
  end

  // ---------------------------------------------------------------------------
  // PE grid
  // ---------------------------------------------------------------------------
  // h: {valid, bank, data} entering PE (r, c) at index r*(Cols+1) + c;
  //    index r*(Cols+1) + Cols is what leaves the right edge.
  // v: partial sum entering PE (r, c) at index r*Cols + c; row Rows is the bottom.
  // Flattened wiring between PEs: split per element for Verilator, and not
  // traced (each PE's own registers are), so the model never rebuilds the
  // wide vectors per cycle.
  /* verilator tracing_off */
  logic [Rows*(Cols+1)*HW-1:0] h /* verilator split_var */;
  logic [(Rows+1)*Cols*32-1:0] v /* verilator split_var */;
  /* verilator tracing_on */

  // With SimGrid = 1 these loops run zero times (g_simgrid below is the grid);
  // a loop bound rather than an enclosing generate-if, so the PE scopes keep
  // their names g_row[r].g_col[c] for synthesis and the traces.
  for (genvar r = 0; r < (SimGrid ? 0 : Rows); r++) begin : g_row
    assign h[(r*(Cols+1))*HW +: HW] = a_row[r*HW +: HW];
    for (genvar c = 0; c < Cols; c++) begin : g_col
      localparam int Hin  = r*(Cols+1) + c;
      localparam int Hout = Hin + 1;
      logic we;
      assign we = w_ctrl[c*CW + RowW + 1] && (w_ctrl[c*CW +: RowW] == RowW'(r));
      if (r == 0) begin : g_top
        assign v[c*32 +: 32] = '0;
      end
      /* verilator tracing_off */
      logic pe_key;  // the key bit this PE's sign uses now (traced where it is stored)
      /* verilator tracing_on */
      if (Keyed && KeyMode == 1) begin : g_kbit
        // Expanded key mode: one key bit beside each weight-bank register,
        // written with the weight; the activation's bank bit selects it.
        logic kb0_q /*verilator public_flat_rw*/;
        logic kb1_q /*verilator public_flat_rw*/;
        always_ff @(posedge clk_i) begin
          if (!rst_ni) begin
            kb0_q <= 1'b0;
            kb1_q <= 1'b0;
          end else if (we) begin
            if (w_ctrl[c*CW + RowW]) begin
              kb1_q <= kx_col[c];
            end else begin
              kb0_q <= kx_col[c];
            end
          end
        end
        assign pe_key = h[Hin*HW + AW] ? kb1_q : kb0_q;
      end else begin : g_kreg
        assign pe_key = key[r*Cols + c];
      end
      km_pe #(
        .Keyed   (Keyed),
        .SignMag (SignMag)
      ) u_pe (
        .clk_i,
        .rst_ni,
        .w_we_i    (we),
        .w_bank_i  (w_ctrl[c*CW + RowW]),
        .w_data_i  (w_col[8*c +: 8]),
        .a_valid_i (h[Hin*HW + AW + 1]),
        .a_bank_i  (h[Hin*HW + AW]),
        .a_data_i  (h[Hin*HW +: AW]),
        .key_i     (pe_key),
        .psum_i    (v[(r*Cols + c)*32 +: 32]),
        .a_valid_o (h[Hout*HW + AW + 1]),
        .a_bank_o  (h[Hout*HW + AW]),
        .a_data_o  (h[Hout*HW +: AW]),
        .psum_o    (v[((r+1)*Cols + c)*32 +: 32])
      );
    end
  end

  if (SimGrid) begin : g_simgrid
    if (KeyMode == 1) begin : g_unsupported
      $error("km_array: SimGrid = 1 supports the periodic and plain arrays only (KeyMode = 0)");
    end
    // The registers of PE (r, c), as km_pe holds them:
    //   w_q[b][r][c]     weight bank b (km_pe's w0_q, w1_q);
    //   hb[.][r][c+1]    {a_valid_q, a_bank_q, a_data_q};
    //   pb[.][r+1][c]    psum_q.
    // Not registers: hb[.][r][0], row r's input from the skew line (written
    // at each edge before it is read), and pb[.][0][c], the constant 0 that
    // enters the top row (set once, never written again).
    // hb and pb hold two copies (ping-pong): each rising edge computes copy
    // !ph_q from copy ph_q with blocking assignments, then ph_q flips. Every
    // reader outside this process indexes copy ph_q, whose registers this
    // edge does not write, so the order of processes within the edge does
    // not matter. This is what lets Verilator update the grid in place in
    // one loop body per column: an array written by nonblocking assignment
    // inside a loop is not supported, and a whole-array nonblocking copy
    // costs it one temporary per element. This form is for simulation
    // only; Yosys synthesises the km_pe form.
    logic [7:0]    w_q [2][Rows][Cols];
    logic [HW-1:0] hb  [2][Rows][Cols+1];
    logic [31:0]   pb  [2][Rows+1][Cols];
    logic          ph_q = 1'b0;
    logic [Cols-1:0] krow;       // key bits of the row being updated
    logic [HW-1:0] a_in [Rows];  // a_row per row (a_row is split per element)
    for (genvar r = 0; r < Rows; r++) begin : g_ain
      assign a_in[r] = a_row[r*HW +: HW];
    end

    // Weight writes: at most one row per column per cycle (km_pe's w_we_i).
    for (genvar c = 0; c < Cols; c++) begin : g_wr
      always_ff @(posedge clk_i) begin
        if (!rst_ni) begin
          for (int r = 0; r < Rows; r++) begin
            w_q[0][r][c] <= '0;
            w_q[1][r][c] <= '0;
          end
        end else if (w_ctrl[c*CW + RowW + 1]) begin
          w_q[w_ctrl[c*CW + RowW]][w_ctrl[c*CW +: RowW]][c] <= w_col[8*c +: 8];
        end
      end
    end

    // Row 0 of both copies of pb: the constant 0 entering the top row.
    initial begin
      for (int b = 0; b < 2; b++) begin
        for (int c = 0; c < Cols; c++) begin
          pb[b][0][c] = '0;
        end
      end
    end

    /* verilator lint_off BLKSEQ */
    always_ff @(posedge clk_i) begin
      if (!rst_ni) begin
        for (int r = 0; r < Rows; r++) begin
          for (int c = 0; c < Cols; c++) begin
            hb[!ph_q][r][c+1] = '0;
            pb[!ph_q][r+1][c] = '0;
          end
        end
      end else begin
        for (int r = 0; r < Rows; r++) begin
          hb[ph_q][r][0] = a_in[r];
          krow = key[r*Cols +: Cols];  // '0 when Keyed = 0
          for (int c = 0; c < Cols; c++) begin
            // km_pe's datapath, one expression per register (block-local
            // temporaries would be model members stored and reloaded per PE),
            // the partial sum before the activation passed right, so every
            // load of the PE's inputs comes before its stores.
            if (SignMag) begin
              pb[!ph_q][r+1][c] = pb[ph_q][r][c]
                + ({17'b0, 15'(w_q[hb[ph_q][r][c][AW]][r][c][6:0]) * 15'(hb[ph_q][r][c][7:0])}
                   ^ {32{w_q[hb[ph_q][r][c][AW]][r][c][7] ^ hb[ph_q][r][c][AW-1] ^ krow[c]}})
                + {31'b0, w_q[hb[ph_q][r][c][AW]][r][c][7] ^ hb[ph_q][r][c][AW-1] ^ krow[c]};
            end else begin
              pb[!ph_q][r+1][c] = pb[ph_q][r][c]
                + (32'($signed(w_q[hb[ph_q][r][c][AW]][r][c]) * $signed(hb[ph_q][r][c][7:0]))
                   ^ {32{krow[c]}})
                + {31'b0, krow[c]};
            end
            hb[!ph_q][r][c+1] = hb[ph_q][r][c];
          end
        end
      end
      ph_q <= !ph_q;
    end
    /* verilator lint_on BLKSEQ */

    for (genvar c = 0; c < Cols; c++) begin : g_bottom
      assign v[(Rows*Cols + c)*32 +: 32] = pb[ph_q][Rows][c];
    end
    assign h[((Rows-1)*(Cols+1) + Cols)*HW + AW + 1] = hb[ph_q][Rows-1][Cols][AW+1];
  end

  // ---------------------------------------------------------------------------
  // Output deskew: column c waits Cols-1-c more cycles
  // ---------------------------------------------------------------------------
  for (genvar c = 0; c < Cols; c++) begin : g_deskew
    km_delay #(
      .Width (32),
      .Depth (Cols - 1 - c)
    ) u_deskew (
      .clk_i,
      .rst_ni,
      .d_i (v[(Rows*Cols + c)*32 +: 32]),
      .q_o (psum_data_o[32*c +: 32])
    );
  end

  // The valid bit registered by PE (Rows-1, Cols-1) belongs to the activation
  // row presented Rows+Cols-1 cycles ago: exactly the row now on psum_data_o.
  // psum_data_o is 0 whenever it is 0, because an invalid row carries zero
  // activations from the left edge on, so every PE of its wavefront adds 0 to
  // a partial sum that starts at 0 (see km_pe.sv).
  assign psum_valid_o = h[((Rows-1)*(Cols+1) + Cols)*HW + AW + 1];

endmodule
