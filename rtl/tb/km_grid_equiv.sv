// km_grid_equiv: the two forms of km_array's PE grid (SimGrid = 0: km_pe
// instances; SimGrid = 1: the simulation form) side by side on the same
// inputs. diff_o is 1 in any cycle where any output port of the two differs.
// flip_i inverts the SimGrid = 1 array's a_valid_i only (0 in the
// equivalence runs; the test sets it once to show that diff_o can fire).
// Verilated for several geometries and number formats by cmake/rtl.cmake and
// driven with random inputs by tests/rtl/km_grid_equiv_test.cc.
module km_grid_equiv #(
  parameter int Rows    = 4,
  parameter int Cols    = 4,
  parameter bit Keyed   = 1'b1,
  parameter bit SignMag = 1'b1,
  localparam int RowW   = km_params_pkg::index_width(Rows),
  localparam int WB     = km_params_pkg::WeightBits,
  localparam int AB     = km_params_pkg::ActBits,
  localparam int PB     = km_params_pkg::PsumBits
) (
  input  logic               clk_i,
  input  logic               rst_ni,
  input  logic               key_valid_i,
  input  logic               key_bit_i,
  input  logic               w_valid_i,
  input  logic [RowW-1:0]    w_row_i,
  input  logic               w_bank_i,
  input  logic [WB*Cols-1:0] w_data_i,
  input  logic               a_valid_i,
  input  logic               a_bank_i,
  input  logic [AB*Rows-1:0] a_data_i,
  input  logic               flip_i,
  output logic               psum_valid_o,  // the SimGrid = 0 array's
  output logic               diff_o
);

  logic               sealed[2], err[2], valid[2];
  logic [PB*Cols-1:0] psum[2];

  for (genvar g = 0; g < 2; g++) begin : g_form
    km_array #(
      .Rows    (Rows),
      .Cols    (Cols),
      .Keyed   (Keyed),
      .SignMag (SignMag),
      .SimGrid (g == 1)
    ) u_array (
      .clk_i,
      .rst_ni,
      .key_valid_i,
      .key_bit_i,
      .key_sealed_o (sealed[g]),
      .key_err_o    (err[g]),
      .w_valid_i,
      .w_row_i,
      .w_bank_i,
      .w_data_i,
      .a_bank_i,
      .a_valid_i    (a_valid_i ^ (flip_i && g == 1)),
      .a_data_i,
      .psum_valid_o (valid[g]),
      .psum_data_o  (psum[g])
    );
  end

  assign psum_valid_o = valid[0];
  assign diff_o = (sealed[0] != sealed[1]) || (err[0] != err[1]) || (valid[0] != valid[1])
                  || (psum[0] != psum[1]);

endmodule
