namespace Cocktail.KubeSim.ContractTests.Infrastructure;

/// <summary>Tests of the simulator's own features (faults, audit webhook) skip when the contract runs against a real cluster.</summary>
public static class SimulatorOnly
{
    public static bool AgainstRealCluster => !string.IsNullOrEmpty(Environment.GetEnvironmentVariable(ClusterUnderTest.RealClusterVariable));

    public static void Require() => Skip.If(AgainstRealCluster, "simulator-only feature; the contract runs against a real cluster");
}
