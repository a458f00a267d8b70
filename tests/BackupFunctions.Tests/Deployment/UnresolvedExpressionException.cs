namespace BackupFunctions.Tests.Deployment;

/// <summary>A template value the deployment test cannot resolve: the test fails rather than guess.</summary>
public sealed class UnresolvedExpressionException : Exception
{
    public UnresolvedExpressionException()
    {
    }

    public UnresolvedExpressionException(string message)
        : base(message)
    {
    }

    public UnresolvedExpressionException(string message, Exception innerException)
        : base(message, innerException)
    {
    }
}
