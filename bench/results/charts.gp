# Written by mcdshm-bench --plot; run: gnuplot charts.gp
set terminal png size 960,560
set grid
set datafile missing NaN
set output 'rtt.png'
set title 'Small call round trip (mcd\_qry\_state\_f), p50'
set ylabel 'microseconds (log)'
set logscale y
unset logscale x
set xlabel ''
set style fill solid 0.6
set boxwidth 0.6
set xtics rotate by -30
set format y '%g'
set key below horizontal
set yrange [*:*]
set yrange [0.0916667:*]
plot 'rtt.dat' using 0:3:xtic(1) with boxes title 'median', '' using 0:3:4:5 with yerrorbars lc rgb 'black' title 'min..max', 0.275 with lines lw 2 dt 2 title 'floor: cache-line ping-pong'
set output 'dump.png'
set title 'Memory dump rate'
set ylabel 'GB/s (log)'
set logscale y
unset logscale x
set xlabel ''
set style fill solid 0.6
set boxwidth 0.6
set xtics rotate by -30
set format y '%g'
set key below horizontal
set yrange [*:*]
set yrange [*:16.6242]
plot 'dump.dat' using 0:3:xtic(1) with boxes title 'median', '' using 0:3:4:5 with yerrorbars lc rgb 'black' title 'min..max', 5.5414 with lines lw 2 dt 2 title 'floor: memcpy, one thread'
set output 'payload-rtt.png'
set title 'Memory read round trip by size, p50'
set xlabel 'payload bytes'
set ylabel 'microseconds'
set logscale xy
set xtics norotate
set xtics ("64" 64, "1K" 1024, "16K" 16384, "256K" 262144, "4M" 4194304, "16M" 16777216)
set format y '%g'
set key outside right top vertical
set yrange [*:*]
set autoscale xfix
set yrange [0.0916667:*]
plot 'payload-rtt.dat' using (strcol(1) eq 'mcdshm-busy' ? $2 : NaN):3:4:5 with yerrorlines title 'mcdshm-busy', 'payload-rtt.dat' using (strcol(1) eq 'mcdshm-hybrid' ? $2 : NaN):3:4:5 with yerrorlines title 'mcdshm-hybrid', 'payload-rtt.dat' using (strcol(1) eq 'mcdshm-sleep' ? $2 : NaN):3:4:5 with yerrorlines title 'mcdshm-sleep', 'payload-rtt.dat' using (strcol(1) eq 'mcdshm-rings' ? $2 : NaN):3:4:5 with yerrorlines title 'mcdshm-rings', 'payload-rtt.dat' using (strcol(1) eq 'mcdshm-relay' ? $2 : NaN):3:4:5 with yerrorlines title 'mcdshm-relay', 'payload-rtt.dat' using (strcol(1) eq 'qmp-unix' ? $2 : NaN):3:4:5 with yerrorlines title 'qmp-unix', 'payload-rtt.dat' using (strcol(1) eq 'rpc-tcp' ? $2 : NaN):3:4:5 with yerrorlines title 'rpc-tcp', 'payload-rtt.dat' using (strcol(1) eq 'rpc-unix' ? $2 : NaN):3:4:5 with yerrorlines title 'rpc-unix', 'payload-rtt.dat' using (strcol(1) eq 'zmq-ipc' ? $2 : NaN):3:4:5 with yerrorlines title 'zmq-ipc', 'payload-rtt.dat' using (strcol(1) eq 'zmq-tcp' ? $2 : NaN):3:4:5 with yerrorlines title 'zmq-tcp', 'payload-rtt.dat' using (strcol(1) eq 'systemc' ? $2 : NaN):3:4:5 with yerrorlines title 'systemc', 0.275 with lines lw 2 dt 2 lc rgb 'black' title 'floor: cache-line ping-pong'
set output 'payload-rate.png'
set title 'Memory read rate by size'
set xlabel 'payload bytes'
set ylabel 'GB/s'
set logscale xy
set xtics norotate
set xtics ("64" 64, "1K" 1024, "16K" 16384, "256K" 262144, "4M" 4194304, "16M" 16777216)
set format y '%g'
set key outside right top vertical
set yrange [*:*]
set autoscale xfix
set yrange [*:16.6242]
plot 'payload-rate.dat' using (strcol(1) eq 'mcdshm-busy' ? $2 : NaN):3:4:5 with yerrorlines title 'mcdshm-busy', 'payload-rate.dat' using (strcol(1) eq 'mcdshm-hybrid' ? $2 : NaN):3:4:5 with yerrorlines title 'mcdshm-hybrid', 'payload-rate.dat' using (strcol(1) eq 'mcdshm-sleep' ? $2 : NaN):3:4:5 with yerrorlines title 'mcdshm-sleep', 'payload-rate.dat' using (strcol(1) eq 'mcdshm-rings' ? $2 : NaN):3:4:5 with yerrorlines title 'mcdshm-rings', 'payload-rate.dat' using (strcol(1) eq 'mcdshm-relay' ? $2 : NaN):3:4:5 with yerrorlines title 'mcdshm-relay', 'payload-rate.dat' using (strcol(1) eq 'qmp-unix' ? $2 : NaN):3:4:5 with yerrorlines title 'qmp-unix', 'payload-rate.dat' using (strcol(1) eq 'rpc-tcp' ? $2 : NaN):3:4:5 with yerrorlines title 'rpc-tcp', 'payload-rate.dat' using (strcol(1) eq 'rpc-unix' ? $2 : NaN):3:4:5 with yerrorlines title 'rpc-unix', 'payload-rate.dat' using (strcol(1) eq 'zmq-ipc' ? $2 : NaN):3:4:5 with yerrorlines title 'zmq-ipc', 'payload-rate.dat' using (strcol(1) eq 'zmq-tcp' ? $2 : NaN):3:4:5 with yerrorlines title 'zmq-tcp', 'payload-rate.dat' using (strcol(1) eq 'systemc' ? $2 : NaN):3:4:5 with yerrorlines title 'systemc', 5.5414 with lines lw 2 dt 2 lc rgb 'black' title 'floor: memcpy, one thread'
set output 'conn-p50.png'
set title 'mcd\_qry\_state\_f p50 with N debuggers (median of the debuggers)'
set xlabel 'connections'
set ylabel 'microseconds'
set logscale xy
set xtics norotate
set xtics (1, 2, 4, 8, 16, 32, 64)
set format y '%g'
set key outside right top vertical
set yrange [*:*]
set autoscale xfix
set yrange [0.0916667:*]
plot 'conn-p50.dat' using (strcol(1) eq 'mcdshm-hybrid' ? $2 : NaN):3:4:5 with yerrorlines title 'mcdshm-hybrid', 'conn-p50.dat' using (strcol(1) eq 'mcdshm-sleep' ? $2 : NaN):3:4:5 with yerrorlines title 'mcdshm-sleep', 0.275 with lines lw 2 dt 2 lc rgb 'black' title 'floor: cache-line ping-pong'
set output 'conn-p99.png'
set title 'mcd\_qry\_state\_f p99 with N debuggers (worst debugger)'
set xlabel 'connections'
set ylabel 'microseconds'
set logscale xy
set xtics norotate
set xtics (1, 2, 4, 8, 16, 32, 64)
set format y '%g'
set key outside right top vertical
set yrange [*:*]
set autoscale xfix
set yrange [0.0916667:*]
plot 'conn-p99.dat' using (strcol(1) eq 'mcdshm-hybrid' ? $2 : NaN):3:4:5 with yerrorlines title 'mcdshm-hybrid', 'conn-p99.dat' using (strcol(1) eq 'mcdshm-sleep' ? $2 : NaN):3:4:5 with yerrorlines title 'mcdshm-sleep', 0.275 with lines lw 2 dt 2 lc rgb 'black' title 'floor: cache-line ping-pong'
