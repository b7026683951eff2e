using Cocktail.KubeSim.Benchmarks;

// dotnet run -c Release --project tests/Benchmarks/KubeSim.Benchmarks [-- --max-clusters N --budget-mib M --load-clusters N --clients N --seconds S]
var options = BenchmarkOptions.Parse(args);
Console.WriteLine($"KubeSim benchmark: {Environment.ProcessorCount} cores, .NET {Environment.Version}, clusters of {options.NodesPerCluster} nodes / {options.PodsPerCluster} pods");
var capacity = await CapacityBenchmark.RunAsync(options);
capacity.Print();
var latency = await LatencyBenchmark.RunAsync(options);
latency.Print();
