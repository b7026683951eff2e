namespace Cocktail.Domain.Registries;

/// <summary>
/// A robot's user name says whose it is: <c>robot$&lt;workspace&gt;+&lt;name&gt;</c> (Harbor's convention), so a registry
/// log or a docker config shows the workspace, and the token server knows at once to look for a robot.
/// </summary>
public static class RobotNames
{
    public const string Prefix = "robot$";

    public static string UserName(string workspaceName, string robotName) => $"{Prefix}{workspaceName}+{robotName}";

    public static bool LooksLikeRobot(string userName) => userName.StartsWith(Prefix, StringComparison.Ordinal);
}
