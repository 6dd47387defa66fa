//! The errors AWS reports for its service integrations, as the enums `retry` and `catch` name.

use crate::dsl::TaskError;

/// An enum of one service's error names: `Service.Variant` for each variant, or the name given.
macro_rules! service_errors {
    ($(#[doc = $doc:literal])* $name:ident { $($(#[doc = $vdoc:literal])* $variant:ident => $asl:literal,)* }) => {
        $(#[doc = $doc])*
        #[derive(Clone, Copy, Debug, PartialEq, Eq)]
        pub enum $name {
            $($(#[doc = $vdoc])* #[doc = concat!("`", $asl, "`.")] $variant,)*
        }

        impl std::fmt::Display for $name {
            fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.write_str(self.error_name())
            }
        }

        impl TaskError for $name {
            fn error_name(&self) -> &'static str {
                match self {
                    $($name::$variant => $asl,)*
                }
            }

            fn name_of(variant: &str) -> Option<&'static str> {
                match variant {
                    $(stringify!($variant) => Some($asl),)*
                    _ => None,
                }
            }
        }
    };
}

service_errors! {
    /// Errors of `lambda:invoke` besides the function's own (which keep the function's error
    /// names).
    Lambda {
        /// Lambda's service failed.
        ServiceException => "Lambda.ServiceException",
        /// Lambda failed for a reason it does not name otherwise.
        AwsLambdaException => "Lambda.AWSLambdaException",
        /// The call did not reach Lambda.
        SdkClientException => "Lambda.SdkClientException",
        /// The call to Lambda timed out.
        ClientExecutionTimeoutException => "Lambda.ClientExecutionTimeoutException",
        /// Too many concurrent invocations.
        TooManyRequestsException => "Lambda.TooManyRequestsException",
        /// The function does not exist.
        ResourceNotFoundException => "Lambda.ResourceNotFoundException",
        /// The function ran out of memory or time.
        Unknown => "Lambda.Unknown",
    }
}

service_errors! {
    /// Errors of the DynamoDB integrations.
    DynamoDb {
        /// A `ConditionExpression` did not hold.
        ConditionalCheckFailedException => "DynamoDB.ConditionalCheckFailedException",
        /// The table's throughput is exhausted.
        ProvisionedThroughputExceededException => "DynamoDB.ProvisionedThroughputExceededException",
        /// The table does not exist.
        ResourceNotFoundException => "DynamoDB.ResourceNotFoundException",
        /// The account's request rate is exhausted.
        RequestLimitExceeded => "DynamoDB.RequestLimitExceeded",
        /// A transaction holds the item.
        TransactionConflictException => "DynamoDB.TransactionConflictException",
        /// An item collection is too large.
        ItemCollectionSizeLimitExceededException => "DynamoDB.ItemCollectionSizeLimitExceededException",
        /// DynamoDB failed.
        InternalServerErrorException => "DynamoDB.InternalServerErrorException",
        /// Any other DynamoDB error.
        AmazonDynamoDbException => "DynamoDB.AmazonDynamoDBException",
    }
}

service_errors! {
    /// Errors of `sqs:sendMessage`.
    Sqs {
        /// The queue does not exist.
        QueueDoesNotExistException => "SQS.QueueDoesNotExistException",
        /// The message is not valid for the queue.
        InvalidMessageContentsException => "SQS.InvalidMessageContentsException",
        /// Too many requests.
        RequestThrottledException => "SQS.RequestThrottledException",
        /// Any other SQS error.
        AmazonSqsException => "SQS.AmazonSQSException",
    }
}

service_errors! {
    /// Errors of `sns:publish`.
    Sns {
        /// The topic does not exist.
        NotFoundException => "SNS.NotFoundException",
        /// A parameter is not valid.
        InvalidParameterException => "SNS.InvalidParameterException",
        /// The role may not publish to the topic.
        AuthorizationErrorException => "SNS.AuthorizationErrorException",
        /// Too many requests.
        ThrottledException => "SNS.ThrottledException",
        /// Any other SNS error.
        AmazonSnsException => "SNS.AmazonSNSException",
    }
}

service_errors! {
    /// Errors of `events:putEvents`.
    EventBridge {
        /// An entry was not accepted (the response's `FailedEntryCount` is not 0).
        FailedEntry => "EventBridge.FailedEntry",
        /// Any other EventBridge error.
        AmazonEventBridgeException => "EventBridge.AmazonEventBridgeException",
    }
}

service_errors! {
    /// Errors of `states:startExecution`; a `.sync` child that fails gives `States.TaskFailed`.
    StepFunctions {
        /// An execution of that name already ran with another input.
        ExecutionAlreadyExistsException => "StepFunctions.ExecutionAlreadyExistsException",
        /// Too many running executions.
        ExecutionLimitExceededException => "StepFunctions.ExecutionLimitExceededException",
        /// The input is not valid JSON, or too large.
        InvalidExecutionInputException => "StepFunctions.InvalidExecutionInputException",
        /// The child state machine does not exist.
        StateMachineDoesNotExistException => "StepFunctions.StateMachineDoesNotExistException",
        /// Any other Step Functions error.
        AwsStepFunctionsException => "StepFunctions.AWSStepFunctionsException",
    }
}

service_errors! {
    /// Errors of `http:invoke`: a failed connection, or the endpoint's status code.
    Http {
        /// The endpoint could not be reached.
        Socket => "States.Http.Socket",
        /// 400 Bad Request.
        StatusCode400 => "States.Http.StatusCode.400",
        /// 401 Unauthorized.
        StatusCode401 => "States.Http.StatusCode.401",
        /// 403 Forbidden.
        StatusCode403 => "States.Http.StatusCode.403",
        /// 404 Not Found.
        StatusCode404 => "States.Http.StatusCode.404",
        /// 408 Request Timeout.
        StatusCode408 => "States.Http.StatusCode.408",
        /// 409 Conflict.
        StatusCode409 => "States.Http.StatusCode.409",
        /// 429 Too Many Requests.
        StatusCode429 => "States.Http.StatusCode.429",
        /// 500 Internal Server Error.
        StatusCode500 => "States.Http.StatusCode.500",
        /// 502 Bad Gateway.
        StatusCode502 => "States.Http.StatusCode.502",
        /// 503 Service Unavailable.
        StatusCode503 => "States.Http.StatusCode.503",
        /// 504 Gateway Timeout.
        StatusCode504 => "States.Http.StatusCode.504",
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_are_the_ones_aws_reports() {
        assert_eq!(
            Lambda::name_of("ServiceException"),
            Some("Lambda.ServiceException")
        );
        assert_eq!(
            DynamoDb::ConditionalCheckFailedException.error_name(),
            "DynamoDB.ConditionalCheckFailedException"
        );
        assert_eq!(
            Http::StatusCode429.to_string(),
            "States.Http.StatusCode.429"
        );
        assert_eq!(Sqs::name_of("NoSuchVariant"), None);
    }
}
