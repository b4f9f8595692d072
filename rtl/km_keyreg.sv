// km_keyreg: the write-only serial key register (docs/ARCHITECTURE.md section 5).
//
// Rows*Cols bits, row-major (bit j = r*Cols + c is the key bit of PE (r, c)),
// reset to 0. Each cycle with key_valid_i = 1 writes key_bit_i to the next
// position; the Rows*Cols-th bit seals the register. A bit offered while sealed
// is refused (the register does not change) and sets the sticky err_o. Only
// reset unseals. The bits leave only on key_o, which km_array wires to the PEs'
// sign inputs: there is no read-back port.
//
// The write position is kept as a (row, column) pair of counters, so the write
// enable of bit (r, c) is one AND of a row select and a column select.
//
// Area note: the key bits' synchronous reset is folded into that write enable
// (reset selects every row and column and writes 0), so a key bit costs one
// flop, one enable mux and one AND, with no separate reset gate; key_q is
// therefore the one register here that always_ff writes without a reset branch.
// The behaviour is the same: key_q is 0 in the cycle after any reset cycle.
module km_keyreg #(
  parameter int Rows = 4,
  parameter int Cols = 4,
  localparam int RowW = km_params_pkg::index_width(Rows),  // params/keymac_params.json
  localparam int ColW = km_params_pkg::index_width(Cols)
) (
  input  logic                 clk_i,
  input  logic                 rst_ni,
  input  logic                 key_valid_i,
  input  logic                 key_bit_i,
  output logic [Rows*Cols-1:0] key_o,
  output logic                 sealed_o,
  output logic                 err_o
);

  logic [Rows*Cols-1:0] key_q;
  logic [RowW-1:0]      row_d, row_q;
  logic [ColW-1:0]      col_d, col_q;
  logic                 sealed_d, sealed_q;
  logic                 err_d, err_q;

  logic                 write;
  logic                 wr_bit;
  logic [Rows-1:0]      row_sel;
  logic [Cols-1:0]      col_sel;

  assign write  = key_valid_i & ~sealed_q;
  assign wr_bit = key_bit_i & rst_ni;  // reset writes 0 into every bit

  // The selects: row_sel[r] = !rst_ni || (write && row_q == r), col_sel[c] =
  // !rst_ni || col_q == c. The position decode reads only flops and the rest
  // is one vector expression, so the verilated model decodes once per clock
  // edge and not bit by bit on every eval() (key_valid_i and rst_ni are
  // inputs; docs/RTL.md, speed).
  logic [Rows-1:0]      row_at;
  logic [Cols-1:0]      col_at;
  always_comb begin
    for (int r = 0; r < Rows; r++) begin
      row_at[r] = row_q == RowW'(r);
    end
    for (int c = 0; c < Cols; c++) begin
      col_at[c] = col_q == ColW'(c);
    end
  end
  assign row_sel = {Rows{!rst_ni}} | ({Rows{write}} & row_at);
  assign col_sel = {Cols{!rst_ni}} | col_at;

  always_comb begin
    row_d    = row_q;
    col_d    = col_q;
    sealed_d = sealed_q;
    err_d    = err_q;
    if (key_valid_i && sealed_q) begin
      err_d = 1'b1;
    end
    if (write) begin
      if (col_q == ColW'(Cols - 1)) begin
        col_d = '0;
        if (row_q == RowW'(Rows - 1)) begin
          sealed_d = 1'b1;
        end else begin
          row_d = row_q + RowW'(1);
        end
      end else begin
        col_d = col_q + ColW'(1);
      end
    end
  end

  // The key bits' next state is written here, not as an always_comb key_d
  // that the verilated model would re-evaluate on every eval() (all Rows*Cols
  // bits depend on key_valid_i); here it skips the columns of unselected rows.
  always_ff @(posedge clk_i) begin
    // reset through the write enable (see the area note)
    for (int r = 0; r < Rows; r++) begin
      if (row_sel[r]) begin
        for (int c = 0; c < Cols; c++) begin
          if (col_sel[c]) begin
            key_q[r*Cols + c] <= wr_bit;
          end
        end
      end
    end
    if (!rst_ni) begin
      row_q    <= '0;
      col_q    <= '0;
      sealed_q <= 1'b0;
      err_q    <= 1'b0;
    end else begin
      row_q    <= row_d;
      col_q    <= col_d;
      sealed_q <= sealed_d;
      err_q    <= err_d;
    end
  end

  assign key_o    = key_q;
  assign sealed_o = sealed_q;
  assign err_o    = err_q;

endmodule
