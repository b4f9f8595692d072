// km_pe: one processing element of the keyed weight-stationary array
// (docs/ARCHITECTURE.md section 3 and section 7 items 2-4).
//
// Each cycle it adds (-1)^key * w * a to psum_i and registers the sum in
// psum_o, where w is the weight of the bank selected by the activation's bank
// bit. It registers the activation, bank and valid bits it used and passes
// them right.
//
// Contract with km_array: a_data_i is all-zero whenever a_valid_i is 0 (the
// array masks activations at its left edge). A zero activation makes the
// addend exactly 0 (also with key = 1: psum_i + ~0 + 1 = psum_i), so an
// invalid activation passes psum_i through unchanged without any per-PE gate.
//
// Number formats inside the array (chosen by SignMag, same for all PEs):
//   SignMag = 0: weights and activations int8 two's complement; the PE adds
//                (p ^ {32{k}}) + k with p the sign-extended 16-bit product.
//   SignMag = 1: weight {sign, |w|[6:0]} (valid for w in [-127, 127]),
//                activation {sign, |a|[7:0]}; the PE multiplies magnitudes
//                (7x8 unsigned) and adds (m ^ {32{s}}) + s with
//                s = sign_w ^ sign_a ^ k: the key costs one XOR on the sign.
module km_pe #(
  parameter bit Keyed   = 1'b1,
  parameter bit SignMag = 1'b1,
  localparam int AW     = SignMag ? 9 : 8  // activation width inside the array
) (
  input  logic          clk_i,
  input  logic          rst_ni,
  // weight write (already decoded for this PE and skewed to its column)
  input  logic          w_we_i,
  input  logic          w_bank_i,
  input  logic [7:0]    w_data_i,
  // activation from the left
  input  logic          a_valid_i,
  input  logic          a_bank_i,
  input  logic [AW-1:0] a_data_i,
  // this PE's key bit (ignored when Keyed = 0)
  input  logic          key_i,
  // partial sum from above
  input  logic [31:0]   psum_i,
  // to the right
  output logic          a_valid_o,
  output logic          a_bank_o,
  output logic [AW-1:0] a_data_o,
  // to below
  output logic [31:0]   psum_o
);

  logic [7:0]    w0_q, w1_q;
  logic          a_valid_q, a_bank_q;
  logic [AW-1:0] a_data_q;
  logic [31:0]   psum_q;

  logic [7:0]  w_sel;
  logic        neg;      // subtract the product magnitude / two's-complement value
  logic [31:0] addend;   // product before the sign XOR
  logic        key;

  assign key   = Keyed ? key_i : 1'b0;
  assign w_sel = a_bank_i ? w1_q : w0_q;

  if (SignMag) begin : g_signmag
    logic [14:0] mag;
    assign mag    = 15'(w_sel[6:0]) * 15'(a_data_i[7:0]);
    assign neg    = w_sel[7] ^ a_data_i[8] ^ key;
    assign addend = {17'b0, mag};
  end else begin : g_twos
    logic signed [15:0] prod;
    assign prod   = $signed(w_sel) * $signed(a_data_i);
    assign neg    = key;
    assign addend = 32'(prod);
  end

  // Next state written in the flop process (no always_comb *_d vectors), so
  // the verilated model evaluates it once per clock edge instead of also on
  // every input change (docs/RTL.md, speed).
  always_ff @(posedge clk_i) begin
    if (!rst_ni) begin
      w0_q      <= '0;
      w1_q      <= '0;
      a_valid_q <= 1'b0;
      a_bank_q  <= 1'b0;
      a_data_q  <= '0;
      psum_q    <= '0;
    end else begin
      if (w_we_i) begin
        if (w_bank_i) begin
          w1_q <= w_data_i;
        end else begin
          w0_q <= w_data_i;
        end
      end
      a_valid_q <= a_valid_i;
      a_bank_q  <= a_bank_i;
      a_data_q  <= a_data_i;
      // (-1)^neg * addend: XOR on the product, +1 on the adder's carry-in.
      psum_q    <= psum_i + (addend ^ {32{neg}}) + {31'b0, neg};
    end
  end

  assign a_valid_o = a_valid_q;
  assign a_bank_o  = a_bank_q;
  assign a_data_o  = a_data_q;
  assign psum_o    = psum_q;

endmodule
