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
// so no division is needed. Flat vectors instead of structs or
// multi-dimensional packed arrays, so that Yosys 0.23 reads the file.
module km_ctrl #(
  parameter int Rows = 4,
  parameter int Cols = 4,
  parameter int DimW = 16,  // width of M, K, N and of every index output
  localparam int RowW = km_params_pkg::index_width(Rows),  // params/keymac_params.json
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

  // ---------------------------------------------------------------------------
  // Layer registers
  // ---------------------------------------------------------------------------
  logic            busy_d, busy_q;
  logic [DimW-1:0] m_d, m_q;
  logic [DimW-1:0] k_d, k_q;
  logic [DimW-1:0] n_d, n_q;
  logic [DimW-1:0] per_d, per_q;  // P = max(M, Rows)
  logic [LchW-1:0] lch_d, lch_q;  // layer cycle, saturating at Rows+Cols

  logic                             accept;
  logic                             done;
  logic [NumStreams-1:0]            launch;     // stream s starts (p = 0) in the next cycle
  logic [NumStreams*DimW-1:0]       lim;        // rows per fold of stream s
  // State of stream s, read by the outputs.
  logic [NumStreams-1:0]            st_run;     // the stream has rows left to emit
  logic [NumStreams-1:0]            st_bank;    // f mod 2
  logic [NumStreams*DimW-1:0]       st_p;       // position in the fold's period, 0 .. P-1
  logic [NumStreams*DimW-1:0]       st_kt;
  logic [DimW-1:0]                  w_nt, out_nt;  // N-tile of the weight / output stream
  logic [NumStreams-1:0]            emit;       // stream s emits a row this cycle
  logic [NumStreams-1:0]            last_kt;    // stream s is in the last K-tile
  logic [NumStreams-1:0]            last_fold;  // ... and in the last N-tile
  logic [NumStreams-1:0]            last_row;   // ... at the stream's last row of a fold

  assign accept = start_i && !busy_q;

  assign lim[StreamW*DimW +: DimW] = DimW'(Rows);
  assign lim[StreamA*DimW +: DimW] = m_q;
  assign lim[StreamO*DimW +: DimW] = m_q;

  always_comb begin
    launch          = '0;
    launch[StreamW] = accept;
    launch[StreamA] = busy_q && (lch_q == LchW'(0));
    launch[StreamO] = busy_q && (lch_q == LchW'(Rows + Cols - 1));
  end

  // The layer's last row of sums.
  assign done = st_run[StreamO] && last_fold[StreamO] && last_row[StreamO];

  always_comb begin
    busy_d = busy_q;
    m_d    = m_q;
    k_d    = k_q;
    n_d    = n_q;
    per_d  = per_q;
    lch_d  = lch_q;
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
  end

  always_ff @(posedge clk_i) begin
    if (!rst_ni) begin
      busy_q <= 1'b0;
      m_q    <= '0;
      k_q    <= '0;
      n_q    <= '0;
      per_q  <= '0;
      lch_q  <= '0;
    end else begin
      busy_q <= busy_d;
      m_q    <= m_d;
      k_q    <= k_d;
      n_q    <= n_d;
      per_q  <= per_d;
      lch_q  <= lch_d;
    end
  end

  // ---------------------------------------------------------------------------
  // The three streams: one fold / row counter each
  // ---------------------------------------------------------------------------
  for (genvar s = 0; s < NumStreams; s++) begin : g_stream
    logic            run_d, run_q;
    logic            bank_d, bank_q;
    logic [DimW-1:0] p_d, p_q;
    logic [DimW-1:0] kt_d, kt_q;
    logic [DimW-1:0] nt_d, nt_q;
    logic [DimW-1:0] k_base_d, k_base_q;  // kt * Rows
    logic [DimW-1:0] n_base_d, n_base_q;  // nt * Cols
    logic            end_per;             // last cycle of a period

    assign last_kt[s]   = ({1'b0, k_base_q} + (DimW+1)'(Rows)) >= {1'b0, k_q};
    assign last_fold[s] = last_kt[s] && (({1'b0, n_base_q} + (DimW+1)'(Cols)) >= {1'b0, n_q});
    assign last_row[s]  = p_q == (lim[s*DimW +: DimW] - DimW'(1));
    assign end_per      = p_q == (per_q - DimW'(1));
    assign emit[s]      = run_q && (p_q < lim[s*DimW +: DimW]);

    always_comb begin
      run_d    = run_q;
      bank_d   = bank_q;
      p_d      = p_q;
      kt_d     = kt_q;
      nt_d     = nt_q;
      k_base_d = k_base_q;
      n_base_d = n_base_q;
      if (launch[s]) begin
        run_d    = 1'b1;
        bank_d   = 1'b0;
        p_d      = '0;
        kt_d     = '0;
        nt_d     = '0;
        k_base_d = '0;
        n_base_d = '0;
      end else if (run_q) begin
        if (last_fold[s] && last_row[s]) begin
          run_d = 1'b0;
          p_d   = '0;
        end else if (end_per) begin
          p_d    = '0;
          bank_d = ~bank_q;
          if (last_kt[s]) begin
            kt_d     = '0;
            k_base_d = '0;
            nt_d     = nt_q + DimW'(1);
            n_base_d = n_base_q + DimW'(Cols);
          end else begin
            kt_d     = kt_q + DimW'(1);
            k_base_d = k_base_q + DimW'(Rows);
          end
        end else begin
          p_d = p_q + DimW'(1);
        end
      end
    end

    always_ff @(posedge clk_i) begin
      if (!rst_ni) begin
        run_q    <= 1'b0;
        bank_q   <= 1'b0;
        p_q      <= '0;
        kt_q     <= '0;
        nt_q     <= '0;
        k_base_q <= '0;
        n_base_q <= '0;
      end else begin
        run_q    <= run_d;
        bank_q   <= bank_d;
        p_q      <= p_d;
        kt_q     <= kt_d;
        nt_q     <= nt_d;
        k_base_q <= k_base_d;
        n_base_q <= n_base_d;
      end
    end

    assign st_run[s]  = run_q;
    assign st_bank[s] = bank_q;
    assign st_p[s*DimW +: DimW]    = p_q;
    assign st_kt[s*DimW +: DimW]   = kt_q;
    // The activation stream's N-tile only ends the stream (last_fold).
    if (s == StreamW) begin : g_w_nt
      assign w_nt = nt_q;
    end else if (s == StreamO) begin : g_out_nt
      assign out_nt = nt_q;
    end
  end

  // ---------------------------------------------------------------------------
  // Outputs (indices forced to 0 when their valid is 0)
  // ---------------------------------------------------------------------------
  assign busy_o = busy_q;
  assign done_o = done;

  assign w_valid_o = emit[StreamW];
  assign w_row_o   = emit[StreamW] ? RowW'(st_p[StreamW*DimW +: DimW]) : '0;
  assign w_bank_o  = emit[StreamW] && st_bank[StreamW];
  assign w_kt_o    = emit[StreamW] ? st_kt[StreamW*DimW +: DimW] : '0;
  assign w_nt_o    = emit[StreamW] ? w_nt : '0;

  assign a_valid_o = emit[StreamA];
  assign a_bank_o  = emit[StreamA] && st_bank[StreamA];
  assign a_m_o     = emit[StreamA] ? st_p[StreamA*DimW +: DimW] : '0;
  assign a_kt_o    = emit[StreamA] ? st_kt[StreamA*DimW +: DimW] : '0;

  assign out_valid_o = emit[StreamO];
  assign out_m_o     = emit[StreamO] ? st_p[StreamO*DimW +: DimW] : '0;
  assign out_nt_o    = emit[StreamO] ? out_nt : '0;
  assign out_first_o = emit[StreamO] && (st_kt[StreamO*DimW +: DimW] == '0);
  assign out_last_o  = emit[StreamO] && last_kt[StreamO];

endmodule
