// km_ctrl: the layer sequencer. Given a layer's sizes M, K, N it generates the
// docs/ARCHITECTURE.md section 8 ideal-memory schedule for a Rows x Cols
// km_array: which weight row to write, which activation row to present and
// which accumulator row each row of sums leaving the array belongs to
// (section 6). It carries no data: the buffers around the array use its
// indices to read W / X and to update Y.
//
// Timing (cycle t is the interval before rising edge t+1, as in section 7):
//   * start_i is sampled at the rising edge ending a cycle s. If busy_o = 0 in
//     cycle s the layer is accepted and m_i, k_i, n_i (each >= 1; other values
//     are undefined) are latched; start_i while busy_o = 1 is ignored.
//   * Layer cycle 0 is cycle s+1, the cycle after the accepting edge. It is
//     W_0, the cycle of the first weight-row write (section 8, ideal memory).
//   * With Kt = ceil(K/Rows), Nt = ceil(N/Cols), F = Kt*Nt, P = max(M, Rows),
//     fold f = nt*Kt + kt (N-tiles outer), bank f mod 2, in layer cycles:
//       weight row r   of fold f: W_f + r,            W_f = f*P,   r < Rows
//       activation i   of fold f: S_f + i,            S_f = f*P+1, i < M
//       its row of sums leaves:   S_f + i + Rows + Cols - 1
//   * busy_o = 1 in layer cycles 0 .. cycles()-1 and done_o = 1 only in layer
//     cycle cycles()-1 = (F-1)*P + M + Rows + Cols - 1, the cycle in which the
//     layer's last row of sums is on psum_data_o. A new start_i is accepted
//     from that cycle's successor on (busy_o = 0 again).
//
// Outputs (all are functions of registers only; none depends on an input in
// the same cycle). When a valid is 0 the indices that go with it are 0.
//   w_valid_o, w_row_o, w_bank_o : drive km_array's w_valid_i, w_row_i, w_bank_i
//   w_kt_o, w_nt_o               : the weight tile of that row: w_data_i column c
//                                  is W[w_kt*Rows + w_row][w_nt*Cols + c]
//                                  (0 out of range)
//   a_valid_o, a_bank_o          : drive km_array's a_valid_i, a_bank_i
//   a_m_o, a_kt_o                : a_data_i row r is X[a_m][a_kt*Rows + r]
//                                  (0 out of range)
//   out_valid_o                  : = km_array's psum_valid_o in the same cycle
//   out_m_o, out_nt_o            : psum_data_o column c goes to Y[out_m][out_nt*Cols + c]
//                                  (dropped where out_nt*Cols + c >= N)
//   out_first_o, out_last_o      : first K-tile (overwrite Y instead of adding),
//                                  last K-tile (that Y row segment is final)
//
// Structure: three copies of one fold/row counter ("streams"): the weight
// stream starts in layer cycle 0, the activation stream in cycle 1 and the
// output stream in cycle Rows + Cols; they differ only in the number of rows
// per fold they emit (Rows for weights, M for the other two). The end of a
// K- or N-tile is found by comparing a running kt*Rows (nt*Cols) with K (N),
// so no division is needed.
module km_ctrl #(
  parameter int Rows = 4,
  parameter int Cols = 4,
  parameter int DimW = 16,  // width of M, K, N and of every index output
  localparam int RowW = (Rows > 1) ? $clog2(Rows) : 1,
  localparam int LchW = $clog2(Rows + Cols + 1)  // counts 0 .. Rows+Cols
) (
  input  logic            clk_i,
  input  logic            rst_ni,
  // layer command
  input  logic            start_i,
  input  logic [DimW-1:0] m_i,
  input  logic [DimW-1:0] k_i,
  input  logic [DimW-1:0] n_i,
  output logic            busy_o,
  output logic            done_o,
  // weight writes
  output logic            w_valid_o,
  output logic [RowW-1:0] w_row_o,
  output logic            w_bank_o,
  output logic [DimW-1:0] w_kt_o,
  output logic [DimW-1:0] w_nt_o,
  // activations
  output logic            a_valid_o,
  output logic            a_bank_o,
  output logic [DimW-1:0] a_m_o,
  output logic [DimW-1:0] a_kt_o,
  // rows of sums leaving the array
  output logic            out_valid_o,
  output logic [DimW-1:0] out_m_o,
  output logic [DimW-1:0] out_nt_o,
  output logic            out_first_o,
  output logic            out_last_o
);

  // The tile-end compares add Rows (Cols) to an index below K (N) in DimW+1 bits.
  if (Rows < 1 || Cols < 1 || Rows >= (1 << DimW) || Cols >= (1 << DimW)) begin : g_bad_params
    $error("km_ctrl: need 1 <= Rows, Cols < 2**DimW");
  end

  localparam int NumStreams = 3;
  localparam int StreamW    = 0;  // weight rows
  localparam int StreamA    = 1;  // activation rows
  localparam int StreamO    = 2;  // rows of sums

  typedef struct packed {
    logic            run;     // the stream has rows left to emit
    logic            bank;    // f mod 2
    logic [DimW-1:0] p;       // position in the fold's period, 0 .. P-1
    logic [DimW-1:0] kt;
    logic [DimW-1:0] nt;
    logic [DimW-1:0] k_base;  // kt * Rows
    logic [DimW-1:0] n_base;  // nt * Cols
  } stream_t;

  // ---------------------------------------------------------------------------
  // Layer registers
  // ---------------------------------------------------------------------------
  logic            busy_d, busy_q;
  logic [DimW-1:0] m_d, m_q;
  logic [DimW-1:0] k_d, k_q;
  logic [DimW-1:0] n_d, n_q;
  logic [DimW-1:0] per_d, per_q;  // P = max(M, Rows)
  logic [LchW-1:0] lch_d, lch_q;  // layer cycle, saturating at Rows+Cols
  stream_t [NumStreams-1:0] st_d, st_q;

  logic                  accept;
  logic [NumStreams-1:0] launch;     // stream s starts (p = 0) in the next cycle
  logic [NumStreams-1:0] emit;       // stream s emits a row this cycle
  logic [NumStreams-1:0] last_kt;    // stream s is in the last K-tile
  logic [NumStreams-1:0] last_fold;  // ... and the last N-tile
  logic [NumStreams-1:0] last_row;   // ... at the stream's last row of a fold
  logic [NumStreams-1:0] end_per;    // ... at the last cycle of a period
  logic [DimW-1:0]       lim [NumStreams];  // rows per fold
  logic                  done;

  assign accept = start_i && !busy_q;

  always_comb begin
    lim[StreamW] = DimW'(Rows);
    lim[StreamA] = m_q;
    lim[StreamO] = m_q;
  end

  always_comb begin
    launch          = '0;
    launch[StreamW] = accept;
    launch[StreamA] = busy_q && (lch_q == LchW'(0));
    launch[StreamO] = busy_q && (lch_q == LchW'(Rows + Cols - 2));
  end

  for (genvar s = 0; s < NumStreams; s++) begin : g_stream_flags
    assign emit[s]      = st_q[s].run && (st_q[s].p < lim[s]);
    assign last_kt[s]   = ({1'b0, st_q[s].k_base} + (DimW+1)'(Rows)) >= {1'b0, k_q};
    assign last_fold[s] = last_kt[s] &&
                          (({1'b0, st_q[s].n_base} + (DimW+1)'(Cols)) >= {1'b0, n_q});
    assign last_row[s]  = st_q[s].p == (lim[s] - DimW'(1));
    assign end_per[s]   = st_q[s].p == (per_q - DimW'(1));
  end

  // The layer's last row of sums.
  assign done = st_q[StreamO].run && last_fold[StreamO] && last_row[StreamO];

  // ---------------------------------------------------------------------------
  // Next state
  // ---------------------------------------------------------------------------
  always_comb begin
    busy_d = busy_q;
    m_d    = m_q;
    k_d    = k_q;
    n_d    = n_q;
    per_d  = per_q;
    lch_d  = lch_q;
    st_d   = st_q;

    if (accept) begin
      busy_d = 1'b1;
      m_d    = m_i;
      k_d    = k_i;
      n_d    = n_i;
      per_d  = (m_i > DimW'(Rows)) ? m_i : DimW'(Rows);
      lch_d  = '0;
    end else if (busy_q) begin
      if (lch_q != LchW'(Rows + Cols)) begin
        lch_d = lch_q + LchW'(1);
      end
      if (done) begin
        busy_d = 1'b0;
      end
    end

    for (int s = 0; s < NumStreams; s++) begin
      if (launch[s]) begin
        st_d[s]     = '0;
        st_d[s].run = 1'b1;
      end else if (st_q[s].run) begin
        if (last_fold[s] && last_row[s]) begin
          st_d[s].run = 1'b0;
          st_d[s].p   = '0;
        end else if (end_per[s]) begin
          st_d[s].p    = '0;
          st_d[s].bank = ~st_q[s].bank;
          if (last_kt[s]) begin
            st_d[s].kt     = '0;
            st_d[s].k_base = '0;
            st_d[s].nt     = st_q[s].nt + DimW'(1);
            st_d[s].n_base = st_q[s].n_base + DimW'(Cols);
          end else begin
            st_d[s].kt     = st_q[s].kt + DimW'(1);
            st_d[s].k_base = st_q[s].k_base + DimW'(Rows);
          end
        end else begin
          st_d[s].p = st_q[s].p + DimW'(1);
        end
      end
    end
  end

  always_ff @(posedge clk_i) begin
    if (!rst_ni) begin
      busy_q <= 1'b0;
      m_q    <= '0;
      k_q    <= '0;
      n_q    <= '0;
      per_q  <= '0;
      lch_q  <= '0;
      st_q   <= '0;
    end else begin
      busy_q <= busy_d;
      m_q    <= m_d;
      k_q    <= k_d;
      n_q    <= n_d;
      per_q  <= per_d;
      lch_q  <= lch_d;
      st_q   <= st_d;
    end
  end

  // ---------------------------------------------------------------------------
  // Outputs (indices forced to 0 when their valid is 0)
  // ---------------------------------------------------------------------------
  assign busy_o = busy_q;
  assign done_o = done;

  assign w_valid_o = emit[StreamW];
  assign w_row_o   = emit[StreamW] ? RowW'(st_q[StreamW].p) : '0;
  assign w_bank_o  = emit[StreamW] && st_q[StreamW].bank;
  assign w_kt_o    = emit[StreamW] ? st_q[StreamW].kt : '0;
  assign w_nt_o    = emit[StreamW] ? st_q[StreamW].nt : '0;

  assign a_valid_o = emit[StreamA];
  assign a_bank_o  = emit[StreamA] && st_q[StreamA].bank;
  assign a_m_o     = emit[StreamA] ? st_q[StreamA].p : '0;
  assign a_kt_o    = emit[StreamA] ? st_q[StreamA].kt : '0;

  assign out_valid_o = emit[StreamO];
  assign out_m_o     = emit[StreamO] ? st_q[StreamO].p : '0;
  assign out_nt_o    = emit[StreamO] ? st_q[StreamO].nt : '0;
  assign out_first_o = emit[StreamO] && (st_q[StreamO].kt == '0);
  assign out_last_o  = emit[StreamO] && last_kt[StreamO];

endmodule
