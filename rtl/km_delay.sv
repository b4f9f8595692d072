// km_delay: a delay line of Depth registers of Width bits (Depth = 0: wire).
// q_o in cycle t+Depth equals d_i of cycle t. All registers reset to 0.
module km_delay #(
  parameter int Width = 8,
  parameter int Depth = 1
) (
  input  logic             clk_i,
  input  logic             rst_ni,
  input  logic [Width-1:0] d_i,
  output logic [Width-1:0] q_o
);

  if (Depth == 0) begin : g_wire
    assign q_o = d_i;
  end else begin : g_regs
    // Stage s (0 = first) at bits [s*Width +: Width]. The shift is written
    // in the flop process, not as an always_comb next-state vector: Verilator
    // would otherwise re-evaluate the whole line whenever d_i (often a
    // primary input) changes, i.e. on every eval(). And it is one assignment
    // of the whole line, not one per stage: Verilator then shifts the words
    // in place instead of copying the line into a shadow and back every cycle
    // (docs/RTL.md, speed).
    logic [Depth*Width-1:0] line_q;

    if (Depth == 1) begin : g_one
      always_ff @(posedge clk_i) begin
        if (!rst_ni) begin
          line_q <= '0;
        end else begin
          line_q <= d_i;
        end
      end
    end else begin : g_shift
      always_ff @(posedge clk_i) begin
        if (!rst_ni) begin
          line_q <= '0;
        end else begin
          line_q <= {line_q[(Depth-1)*Width-1:0], d_i};
        end
      end
    end

    assign q_o = line_q[(Depth-1)*Width +: Width];
  end

endmodule
